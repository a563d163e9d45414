package demos

// Topic is a group of lessons in the order the tutorials teach them.
type Topic struct {
	Name, NameZH string
	Demos        []*Demo
}

// topicOf places each lesson; List gives the order within a topic. A
// lesson not named here is listed under "More".
var topicOf = map[string]int{
	"tcp-echo": 0, "tcp-multi": 0, "blocking": 0, "ipv6": 0,
	"message-boundaries": 1, "partial-send": 1, "slow-reader": 1, "nagle": 1,
	"half-close": 2, "time-wait": 2, "backlog": 2,
	"peer-close": 3, "refused": 3,
	"udp-echo": 4, "udp-broadcast": 4, "udp-overflow": 4,
	"unix-stream": 5, "socket-types": 5,
}

var topicNames = [...][2]string{
	{"First sockets", "第一个套接字"},
	{"Byte stream and buffers", "字节流与缓冲区"},
	{"Connection life", "连接的一生"},
	{"Errors", "出错的时候"},
	{"UDP", "UDP"},
	{"Local sockets", "本地套接字"},
}

// Topics returns the lessons grouped by topic, in teaching order; empty
// topics are left out.
func Topics() []Topic {
	groups := make([]Topic, len(topicNames)+1)
	for i, n := range topicNames {
		groups[i].Name, groups[i].NameZH = n[0], n[1]
	}
	more := len(topicNames)
	groups[more].Name, groups[more].NameZH = "More", "更多"
	for _, d := range List() {
		i, ok := topicOf[d.Name]
		if !ok {
			i = more
		}
		groups[i].Demos = append(groups[i].Demos, d)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Demos) > 0 {
			out = append(out, g)
		}
	}
	return out
}
