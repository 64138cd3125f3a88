#include "common/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/flags.h"

namespace cairn {

void AddLogFlags(FlagSet& flags, LogSettings* settings) {
  flags.Add("log_level", &settings->log_level, "trace, debug, info, warn, error or off");
  flags.Add("log_file", &settings->log_file, "append logs to this file instead of stderr");
}

void InitLogging(const std::string& component, const LogSettings& settings) {
  std::shared_ptr<spdlog::logger> logger;
  if (settings.log_file.empty()) {
    logger = std::make_shared<spdlog::logger>(component, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        component, std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.log_file, false));
  }
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%L%$ %n %t] %v");
  logger->set_level(spdlog::level::from_str(settings.log_level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace cairn
