package ledgertest

var reconTests = []clearingTest{}
