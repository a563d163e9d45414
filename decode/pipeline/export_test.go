package pipeline

// SetStage1Formats makes stage 1 of RunLines format every batch (on) or
// only those stage 2 is behind with (off, as in use).
func SetStage1Formats(on bool) { stage1Formats = on }
