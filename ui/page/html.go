package page

import (
	"bufio"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/internal/escape"
)

// pageStyle is the page's style sheet (the picture's is svgStyle).
const pageStyle = `
body{font:15px/1.45 system-ui,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222;margin:1.2em 2em;max-width:100%}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em;border-bottom:1px solid #ddd}
.meta,.note,.bound{color:#555;font-size:.92em}
.legend span{display:inline-block;margin-right:1.2em}
.sw{display:inline-block;width:22px;height:0;border-top:2px solid;vertical-align:middle;margin-right:4px}
.scroll{overflow:auto;border:1px solid #e3e3e3;max-height:none}
details{margin:.5em 0;border:1px solid #e6e6e6;border-radius:4px;padding:.3em .8em}
summary{cursor:pointer;font-weight:600}
.explain{white-space:pre-line;max-width:60em}
.outcome{background:#f3f8f1;border-left:3px solid #1e7d4f;padding:.3em .6em;white-space:pre-line;max-width:60em}
table{border-collapse:collapse;font:12px/1.35 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;margin:.4em 0}
td,th{padding:1px 8px;vertical-align:top;text-align:left;border-bottom:1px solid #f0f0f0}
th{background:#f6f6f6}
td.t{text-align:right;color:#667;white-space:nowrap}
td.w{word-break:break-all;max-width:60em}
tr.frame td.w{color:#1b3f7a}tr.call td.w{color:#145a38}tr.fail td.w,tr.expert td.w{color:#a3261b;font-weight:bold}
tr.hl td{background:#ffe9d6}
a{color:inherit}
@media print{
body{margin:0;font-size:11pt}
.scroll{overflow:visible;border:0}
.scroll svg{max-width:100%;height:auto}
details{break-inside:auto;border:0;padding:0}
summary{list-style:none}
tr{break-inside:avoid}
}
` + svgStyle

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.Policy}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sockscope">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>{{.Summary}}</p>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
<p class="meta" id="meta" data-lanes="{{len .Lanes}}" data-calls="{{.Calls}}" data-frames="{{.Frames}}">{{.Meta}}</p>
</header>
<section id="ladder">
<h2>{{.LadderWord}}</h2>
<p class="legend">{{range .Legend}}<span><i class="sw" style="border-color:{{.Color}};border-top-style:{{.Style}}"></i>{{.Text}}</span>{{end}}</p>
<div class="scroll">
{{.SVG}}
</div>
<p class="bound" id="bound">{{.Bound}}</p>
</section>
<section id="steps">
<h2>{{.StepsWord}}</h2>
{{range .Steps}}<details open id="step-{{.Num}}">
<summary>{{.Head}}</summary>
{{if .Explain}}<p class="explain">{{.Explain}}</p>{{end}}
{{if .Outcome}}<p class="outcome">{{.Outcome}}</p>{{end}}
{{if .Rows}}<table>
<thead><tr><th>{{$.TimeWord}}</th><th>#</th><th>{{$.EndpointWord}}</th><th>{{$.WhatWord}}</th><th>{{$.TiedWord}}</th></tr></thead>
<tbody>
{{range .Rows}}<tr id="row-{{.ID}}" class="{{.Class}}" data-id="{{.ID}}"{{if .Links}} data-links="{{.Links}}"{{end}}><td class="t">{{.Time}}</td><td>{{if .Anchor}}<a href="#{{.ID}}">{{.Num}}</a>{{else}}{{.Num}}{{end}}</td><td>{{.Who}}</td><td class="w">{{.What}}</td><td>{{range $i, $l := .Tied}}{{if $i}}, {{end}}<a href="#row-{{$l.ID}}">{{$l.Text}}</a>{{end}}</td></tr>
{{end}}</tbody>
</table>{{end}}
</details>
{{end}}</section>
<script>` + pageScript + `</script>
</body>
</html>
`))

type pageData struct {
	Lang, Policy, Title, Summary, Note, Meta string
	Style                                    template.CSS
	LadderWord, StepsWord                    string
	TimeWord, EndpointWord, WhatWord         string
	TiedWord, Bound                          string
	Lanes                                    []Lane
	Calls, Frames                            int
	Legend                                   []legendItem
	SVG                                      template.HTML
	Steps                                    []stepData
}

type legendItem struct{ Color, Style, Text string }

type stepData struct {
	Num                    int
	Head, Explain, Outcome string
	Rows                   []rowData
}

type rowData struct {
	ID, Class, Time, Num, Who, What, Links string
	Anchor                                 bool
	Tied                                   []linkData
}

type linkData struct{ ID, Text string }

// WritePage writes the page: one self-contained HTML file.
func (p *Page) WritePage(w io.Writer) error {
	d := p.data()
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pageTemplate.Execute(bw, d); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteSVG writes the ladder and the charts alone, as an SVG file.
func (p *Page) WriteSVG(w io.Writer) error {
	b := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b = p.appendSVG(b, true)
	_, err := w.Write(b)
	return err
}

// safe makes a string from the wire or a program terminal-safe; the
// template escapes it for HTML by context.
func safe(s string) string { return escape.Safe(s) }

func (p *Page) data() *pageData {
	zh := p.ZH
	d := &pageData{Lang: "en", Policy: contentPolicy, Title: safe(p.Title), Summary: safe(p.Summary), Note: p.Note,
		Style: template.CSS(pageStyle), Lanes: p.Lanes,
		LadderWord: word(zh, "Ladder"), StepsWord: word(zh, "Steps"), TimeWord: word(zh, "time"),
		EndpointWord: word(zh, "endpoint"), WhatWord: word(zh, "what"), TiedWord: word(zh, "tied to")}
	if zh {
		d.Lang = "zh-CN"
	}
	for i := range p.Rows {
		switch p.Rows[i].Kind {
		case RowCall:
			d.Calls++
		case RowFrame:
			d.Frames++
		}
	}
	lanes := make([]string, len(p.Lanes))
	for i, l := range p.Lanes {
		lanes[i] = safe(l.Name)
	}
	calls := strconv.Itoa(d.Calls) + " calls, "
	callsZH := strconv.Itoa(d.Calls) + " 次调用，"
	if p.What == "connection" {
		calls, callsZH = "", ""
	}
	if zh {
		d.Meta = callsZH + strconv.Itoa(d.Frames) + " 个数据包，" + strconv.Itoa(len(p.Lanes)) + " 条泳道：" + strings.Join(lanes, "，") + "。时间向下走：每行一格，行前的等待按对数加长（≥ 1 ms 的等待标在时间轴上）；右边的图与时序图共用时间轴。把鼠标移到（或点按）调用或数据包上，会高亮与它关联的一切。"
		d.Bound = "时序图最多画 " + strconv.Itoa(p.MaxRows) + " 行；超过时只画开头和结尾各 " + strconv.Itoa(p.MaxRows/2) + " 行，中间用一条带子计数。下方表格列出每一行。"
	} else {
		d.Meta = calls + strconv.Itoa(d.Frames) + " packets, " + strconv.Itoa(len(p.Lanes)) + " lanes: " + strings.Join(lanes, ", ") + ". Time runs down: every row has its own height, and the wait before a row adds height by its logarithm (waits of 1 ms or more are marked on the time axis); the charts on the right share the ladder's time axis. Hover over (or tap) a call or a packet to highlight what it is tied to."
		d.Bound = "The ladder draws at most " + strconv.Itoa(p.MaxRows) + " rows; past that it draws the first and the last " + strconv.Itoa(p.MaxRows/2) + " and one band counts the rest. The tables below list every row."
	}
	if p.What == "connection" {
		d.Legend = []legendItem{{"#2a5db0", "solid", word(zh, "in flight")}, {"#d07000", "dashed", word(zh, "window")}}
	} else {
		d.Legend = []legendItem{
			{"#2a5db0", "solid", "Send-Q"}, {"#1e7d4f", "solid", "Recv-Q"},
			{"#d07000", "dashed", word(zh, "window")}, {"#b03030", "dashed", "SO_SNDBUF / SO_RCVBUF"},
		}
	}
	d.SVG = template.HTML(p.appendSVG(nil, false)) // every string in it escaped by svgBuf
	for _, st := range p.Steps {
		sd := stepData{Num: st.Num, Explain: safe(st.Explain), Outcome: safe(st.Outcome)}
		if st.Num > 0 && p.What != "connection" {
			sd.Head = word(zh, "Step") + " " + strconv.Itoa(st.Num) + ": " + safe(st.Title)
		} else {
			sd.Head = safe(st.Title)
		}
		if sd.Outcome != "" {
			sd.Outcome = word(zh, "Outcome of this run: ") + sd.Outcome
		}
		for _, ri := range st.Rows {
			sd.Rows = append(sd.Rows, p.rowData(ri))
		}
		d.Steps = append(d.Steps, sd)
	}
	return d
}

func (p *Page) rowData(i int) rowData {
	r := &p.Rows[i]
	rd := rowData{ID: r.ID, Time: fmtSince(r.At.Sub(p.Start)), What: safe(r.Label), Links: strings.Join(r.Links, " ")}
	if r.Lane >= 0 && r.Lane < len(p.Lanes) {
		rd.Who = safe(p.Lanes[r.Lane].Name)
	}
	switch r.Kind {
	case RowCall:
		rd.Class, rd.Num, rd.Anchor = "call", "#"+r.ID[1:], true
		if r.Blocked > 0 {
			rd.What += " (" + word(p.ZH, "blocked") + " " + fmtWait(r.Blocked) + ")"
		}
	case RowReturn:
		rd.Class = "call ret"
	case RowWaiting:
		rd.Class, rd.What = "call waiting", rd.What+" ("+word(p.ZH, "waiting")+")"
	case RowFrame:
		rd.Class, rd.Num, rd.Anchor = "frame", "f"+r.ID[1:], true
		var to []string
		for _, l := range r.To {
			to = append(to, safe(p.Lanes[l].Name))
		}
		rd.Who += " → " + strings.Join(to, ", ")
	case RowEvent:
		rd.Class, rd.What = "event", "* "+rd.What
	}
	if r.Fail {
		rd.Class += " fail"
	}
	if r.Expert {
		rd.Class += " expert"
	}
	for _, s := range r.States {
		rd.What += " [" + safe(p.Lanes[s.Lane].Name) + " " + s.State + "]"
	}
	for _, id := range r.Links {
		txt := id
		switch id[0] {
		case 'c':
			txt = "#" + id[1:]
		case 'f':
			txt = "f" + id[1:]
		}
		rd.Tied = append(rd.Tied, linkData{ID: id, Text: txt})
	}
	return rd
}
