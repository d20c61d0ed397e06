// Package iso20022 reads and writes the ISO 20022 messages bankkit clears
// and reconciles with, and a simple CSV statement. It is a codec: it turns
// messages into Go values and back, validating both ways, and knows nothing
// of accounts or postings (package ledger uses it; it does not use ledger).
//
// # Messages
//
//	pacs.008  FIToFICustomerCreditTransfer   CreditTransferBatch  writes .001.08, reads .001.02 to .001.12
//	pacs.004  PaymentReturn                  PaymentReturn        writes .001.09, reads .001.02 to .001.13
//	pacs.002  FIToFIPaymentStatusReport      PaymentStatusReport  reads .001.03 to .001.14
//	camt.053  BankToCustomerStatement        StatementMessage     reads .001.02 to .001.13
//	camt.052  BankToCustomerAccountReport    StatementMessage     reads .001.02 to .001.13
//	camt.054  BankToCustomerDebitCreditNotification  StatementMessage  reads .001.02 to .001.13
//	CSV       bankkit's statement format     []Entry              reads (see ParseCSVStatement)
//
// Each type holds the subset of the message bankkit needs; each field's
// comment names its element. A pacs.008 carries the group header (MsgId,
// CreDtTm, NbOfTxs, TtlIntrBkSttlmAmt, IntrBkSttlmDt, SttlmInf/SttlmMtd and, optionally, SttlmInf/ClrSys/Prtry) and
// per transaction PmtId (InstrId, EndToEndId, TxId, UETR), IntrBkSttlmAmt,
// ChrgBr, Dbtr/Nm, DbtrAcct, DbtrAgt, CdtrAgt, Cdtr/Nm, CdtrAcct and
// RmtInf/Ustrd. A pacs.004 carries the same header with
// TtlRtrdIntrBkSttlmAmt and per TxInf RtrId, OrgnlGrpInf, the original ids,
// OrgnlIntrBkSttlmAmt, RtrdIntrBkSttlmAmt and RtrRsnInf (Rsn/Cd or
// Rsn/Prtry, AddtlInf). A camt.053 yields each statement's id, account,
// balances and entries with their transaction details (references, amount,
// related parties' names and accounts, remittance lines); an entry booked
// for a batch keeps every TxDtls. A camt.052 (Rpt) and a camt.054 (Ntfctn)
// read into the same StatementMessage, so reconciliation takes all three;
// a notification has no balances, and a returned payment's RtrInf (reason
// code or proprietary reason, text) is kept with its transaction, as is
// the entry's bank transaction code. A pacs.002 yields the status of whole
// original messages (OrgnlGrpInfAndSts: GrpSts, StsRsnInf) and of single
// payments (TxInfAndSts: the original references, TxSts, StsRsnInf). Other elements are ignored when read and
// never written. Accounts are an IBAN or Othr/Id; agents a BICFI (BIC in
// older versions) or ClrSysMmbId/MmbId.
//
// # Reading
//
// The parsers use encoding/xml and match elements by local name, so a
// default namespace, any prefix (ns:Document) and every version in the
// ranges above read alike, including the forms that changed between
// versions (BIC and BICFI; a camt.053 entry's Sts as text or as Sts/Cd; a
// related party's Nm or Pty/Nm; a transaction amount as Amt or
// AmtDtls/TxAmt/Amt). The message is found in any of three shapes: the
// Document as the root element; the Document inside an envelope next to a
// business application header (AppHdr), as in
// <BizMsgEnvlp><AppHdr>...</AppHdr><Document>...</Document></BizMsgEnvlp>;
// or, as some instant-payment networks send it, the message element itself
// (FIToFICstmrCdtTrf, PmtRtr, FIToFIPmtStsRpt, BkToCstmrStmt, ...) next to
// the AppHdr inside the network's own wrapper, with no Document. The
// message type and version come from the Document's namespace
// (urn:iso:std:iso:20022:tech:xsd:camt.053.001.02), or for a message
// element without a Document from its own namespace or else the AppHdr's
// MsgDefIdr; another message type or version is refused with
// ErrUnsupportedMessage. Identify reads that alone, for a caller that must
// choose the parser for a file.
//
// Input is untrusted. At most MaxMessageSize bytes are read; document type
// declarations are refused; amounts are read with money.Parse against their
// Ccy attribute and must not be negative nor have more decimal places than
// the currency; dates are read strictly. Any fault refuses the whole
// message with an error wrapping ErrInvalidMessage that names the element
// path, such as Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt. Only UTF-8
// documents are read. Amounts come back with the currency's exponent
// ("1.7" EUR reads as 1.70), so equal amounts are equal values. A pacs.008
// or pacs.004 must carry one currency: bankkit clears a batch per currency,
// and a message with several and no total is refused as unsupported.
//
// # Writing
//
// The writers check the message with its Validate method first and write
// nothing if it fails. Beyond the standard's rules they hold bankkit's own
// output to what clearing systems accept: control totals that agree, one
// currency per batch, references in the Latin reference character set,
// IBANs with right check digits, unique transaction ids within a batch.
// Messages read from the field are held only to the standard's rules and
// the control totals, so that a payment bankkit cannot apply can be
// returned with a pacs.004 rather than the file refused.
package iso20022
