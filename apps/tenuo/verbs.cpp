#include "cli.hpp"
#include "output.hpp"

#include <string_view>

namespace tenuo::cli {
namespace {

struct Verb {
  std::string_view name;
  void (*add)(CLI::App&, Pending&);
};

// The one list of verbs, in the order `tenuo --help` shows them.
constexpr Verb kVerbs[] = {
    {"keygen", add_keygen},     {"pubkey", add_pubkey},         {"mint", add_mint},
    {"grant", add_grant},       {"sign", add_sign},             {"approve", add_approve},
    {"verify", add_verify},
    {"why-denied", add_why_denied}, {"audit-replay", add_audit_replay}, {"inspect", add_inspect},
    {"env", add_env},           {"doctor", add_doctor},
};

// --color and --quiet are accepted before and after the verb, and listed in every --help.
void add_global_flags(CLI::App& app) {
  add_output_flags(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) add_output_flags(*sub);
}

}  // namespace

void add_all(CLI::App& app, Pending& pending) {
  for (const Verb& v : kVerbs) v.add(app, pending);
  add_global_flags(app);
}

// Building every verb's options is most of a short command's start-up (a `tenuo verify` in a
// CI step or a hook), so when the first word that is not an option names a verb, only that
// verb is registered. Otherwise (help, version, a typo, a global option with a separate
// value such as `--color always`) every verb is, so help and error messages list them all.
void add_verbs_for(CLI::App& app, Pending& pending, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with('-')) continue;
    for (const Verb& v : kVerbs)
      if (v.name == arg) {
        v.add(app, pending);
        add_global_flags(app);
        return;
      }
    break;
  }
  add_all(app, pending);
}

}  // namespace tenuo::cli
