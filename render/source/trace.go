package source

import "sync/atomic"

// tracer, when set, is told every path the reader opens.
var tracer atomic.Pointer[func(path string)]

// Trace calls fn with every path the reader opens from now until stop is
// called. Tests use it to prove that a run opens nothing outside its
// boundary; fn may be called from several goroutines at once.
func Trace(fn func(path string)) (stop func()) {
	tracer.Store(&fn)
	return func() { tracer.Store(nil) }
}

func trace(path string) {
	if fn := tracer.Load(); fn != nil {
		(*fn)(path)
	}
}
