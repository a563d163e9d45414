package page

// zhWords are the page's own words in Chinese, by their English.
var zhWords = map[string]string{
	"no socket of the run":  "本次运行之外",
	"Before the first step": "第一步之前",
	"returned: ":            "返回：",
	"call ":                 "调用 ",
	"calls ":                "调用 ",
	"frames ":               "帧 ",
	"The connection":        "连接",
	"From a capture: no socket calls and no socket buffers; the charts show each endpoint's bytes in flight and the window it advertised.": "来自抓包文件：没有套接字调用，也没有套接字缓冲区；图表显示每一端在途的字节和它通告的窗口。",
	"Ladder":                "时序图",
	"Steps":                 "步骤",
	"time":                  "时间",
	"endpoint":              "端点",
	"what":                  "内容",
	"tied to":               "关联",
	"Step":                  "步骤",
	"send":                  "发送",
	"recv":                  "接收",
	"in flight":             "在途",
	"window":                "窗口",
	"blocked":               "阻塞",
	"waiting":               "等待中",
	"Outcome of this run: ": "本次运行的结果：",
	"backlog":               "backlog",
	"accept q":              "监听队列",
}

// word returns en in the page's language.
func word(zh bool, en string) string {
	if zh {
		if s, ok := zhWords[en]; ok {
			return s
		}
	}
	return en
}
