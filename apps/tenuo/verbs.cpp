#include "cli.hpp"

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
}

}  // namespace tenuo::cli
