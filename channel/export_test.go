package channel

// Hooks for the external tests; compiled only into the test binary.

// SwapDeriveKey replaces the argon2id derivation and returns the previous one.
func SwapDeriveKey(f func(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte) func(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte {
	prev := deriveKey
	deriveKey = f
	return prev
}

// PrepareDummy makes the credential unknown usernames are checked against.
func (s *Service) PrepareDummy() error {
	_, err := s.dummyCredential()
	return err
}
