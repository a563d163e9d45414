package decode

// ConvRowRoundTrip encodes c as a retired flow's summary row and reads it
// back (TestConvRowRoundTrip).
func ConvRowRoundTrip(c *Conversation) Conversation {
	var s rowSlab
	return s.get(s.add(c))
}
