package pipeline

// SetTrackerFormats makes the tracking stage of RunLines format every
// batch (on) or only those the caller's stage is behind with (off, as in
// use).
func SetTrackerFormats(on bool) { trackerFormats = on }
