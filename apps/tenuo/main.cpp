#include "cli.hpp"

#include <tenuo/version.hpp>

#include <fmt/format.h>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"tenuo: mint, delegate, sign and verify Tenuo capability warrants", "tenuo"};
  app.require_subcommand(0, 1);
  app.set_version_flag("-V,--version",
                       fmt::format("tenuo {} (wire v{}, Tenuo protocol {})", tenuo::kVersion,
                                   tenuo::kWireVersion, tenuo::kProtocolLine));
  tenuo::cli::Pending pending;
  tenuo::cli::add_verbs_for(app, pending, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : tenuo::cli::kExitUsage;
  }
  if (!pending.run) {
    std::fputs(app.help().c_str(), stderr);
    return tenuo::cli::kExitUsage;
  }
  try {
    auto r = pending.run();
    return r ? *r : tenuo::cli::report(r.error(), pending.json, pending.decode_only);
  } catch (const std::exception& e) {
    return tenuo::cli::report_internal(e, pending.json);
  }
}
