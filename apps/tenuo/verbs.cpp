#include "cli.hpp"
#include "output.hpp"

namespace tenuo::cli {

// The one list of verbs, in the order `tenuo --help` shows them.
void add_all(CLI::App& app, Pending& pending) {
  add_keygen(app, pending);
  add_pubkey(app, pending);
  add_mint(app, pending);
  add_grant(app, pending);
  add_sign(app, pending);
  add_verify(app, pending);
  add_why_denied(app, pending);
  add_audit_replay(app, pending);
  add_inspect(app, pending);
  add_env(app, pending);
  add_doctor(app, pending);
  // --color and --quiet are accepted before and after the verb, and listed in every --help.
  add_output_flags(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) add_output_flags(*sub);
}

}  // namespace tenuo::cli
