// Clean shutdown on SIGTERM/SIGINT for long-running servers. Call BlockShutdownSignals()
// first thing in main (before any thread starts, so every thread inherits the mask), then
// WaitForShutdownSignal() on the main thread once the server runs; it returns the signal.
#pragma once

namespace cairn {

void BlockShutdownSignals();
int WaitForShutdownSignal();

}  // namespace cairn
