package sockcall

import "github.com/sockscope/sockscope/decode"

// StateName names a state the tracker inferred from the wire as ss prints
// the kernel's (ESTAB, FIN-WAIT-1, TIME-WAIT; TCP_CLOSE is UNCONN): the one
// set of names the lessons and their views use, as for TCP_INFO's state.
func StateName(s decode.TCPState) string {
	switch s {
	case decode.StateClosed:
		return "UNCONN"
	case decode.StateListen:
		return "LISTEN"
	case decode.StateSynSent:
		return "SYN-SENT"
	case decode.StateSynReceived:
		return "SYN-RECV"
	case decode.StateEstablished:
		return "ESTAB"
	case decode.StateFinWait1:
		return "FIN-WAIT-1"
	case decode.StateFinWait2:
		return "FIN-WAIT-2"
	case decode.StateClosing:
		return "CLOSING"
	case decode.StateTimeWait:
		return "TIME-WAIT"
	case decode.StateCloseWait:
		return "CLOSE-WAIT"
	case decode.StateLastAck:
		return "LAST-ACK"
	}
	return ""
}
