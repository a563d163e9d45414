package inspector

import (
	"github.com/gdamore/tcell/v2"
)

// Styles of the inspector (the demo view has its own).
var (
	insStyleDefault  = tcell.StyleDefault
	insStyleDim      = tcell.StyleDefault.Foreground(tcell.ColorGray)
	insStyleTitle    = tcell.StyleDefault.Foreground(tcell.ColorYellow).Bold(true)
	insStyleBar      = tcell.StyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	insStyleBarWarn  = tcell.StyleDefault.Background(tcell.ColorNavy).Foreground(tcell.ColorYellow).Bold(true)
	insStyleError    = tcell.StyleDefault.Foreground(tcell.ColorRed).Bold(true)
	insStyleA        = tcell.StyleDefault.Foreground(tcell.ColorLightCoral)
	insStyleB        = tcell.StyleDefault.Foreground(tcell.ColorLightSkyBlue)
	insStyleTitleA   = insStyleA.Bold(true).Underline(true)
	insStyleTitleB   = insStyleB.Bold(true).Underline(true)
	insStyleHexHi    = tcell.StyleDefault.Background(tcell.ColorDarkCyan).Foreground(tcell.ColorWhite)
	insStyleHexOff   = tcell.StyleDefault.Foreground(tcell.ColorGray)
	insStyleSelected = tcell.StyleDefault.Background(tcell.ColorDarkBlue).Foreground(tcell.ColorWhite)
)
