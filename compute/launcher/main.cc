// cairn-task-launcher: the setuid-root helper that starts, signals and cleans up tasks as
// their job's local account (launcher_commands.h), so the datanode need not be root.
#include "compute/launcher/launcher_commands.h"

int main(int argc, char** argv) { return cairn::compute::LauncherMain(argc, argv); }
