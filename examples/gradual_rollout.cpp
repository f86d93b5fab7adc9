// Gradual rollout: audit -> guard -> scoped warrant -> enforce.
// A tool `delete_file` is guarded; inside a scope allowing it under Subpath("/tmp"), deleting
// /tmp/test.txt is allowed and /etc/passwd is a violation: logged (and let through) in audit
// mode, refused in enforce mode. Nothing is deleted: the tool only records its calls.
// Every guarded decision is appended to AUDIT_LOG_PATH in the `tenuo verify --audit-log`
// format; ROOT_KEY_PATH (optional) receives the issuer's public key (PEM), the trusted root to
// replay that log with: `tenuo audit-replay AUDIT_LOG_PATH --trusted-root ROOT_KEY_PATH`.
// Usage: gradual_rollout AUDIT_LOG_PATH [ROOT_KEY_PATH]
#include <tenuo/config.hpp>
#include <tenuo/constraints.hpp>
#include <tenuo/guard.hpp>
#include <tenuo/warrant_scope.hpp>
#include <tenuo/warrant_use.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace tenuo;

namespace {
int g_failures = 0;
void expect(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) ++g_failures;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: gradual_rollout AUDIT_LOG_PATH [ROOT_KEY_PATH]\n");
    return 2;
  }
  const std::string log_path = argv[1];
  auto issuer = SigningKey::generate();
  if (!issuer) return 1;
  const PublicKey root = issuer->public_key();
  if (argc == 3) {
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out << root.to_pem();
    if (!out.flush()) {
      std::fprintf(stderr, "cannot write %s\n", argv[2]);
      return 1;
    }
  }
  std::printf("trusted root: %s\n", root.base64().c_str());

  // Step 1: audit mode. Violations are logged, never blocked.
  auto configured = configure({.issuer_key = issuer->clone(SecretAccess{}),
                               .mode = EnforcementMode::Audit,
                               .trusted_roots = {root},
                               .audit_log = log_path});
  expect(configured.has_value(), "configure(audit)");
  expect(is_audit_mode() && !should_block_violation(), "audit mode does not block");

  // Step 2: guard the tool. It records calls instead of deleting anything.
  std::vector<std::string> deleted;
  auto delete_file = guard("delete_file", [&deleted](const Object& args) {
    deleted.push_back(Value::object(args).find("path")->as_string());
  });

  // Step 3: a scoped warrant, like `with mint_sync(Capability("delete_file", path=Subpath("/tmp")))`.
  {
    WarrantScope scope({Capability("delete_file", {{"path", Subpath("/tmp")}})});
    expect(scope.ok(), "scope minted with the issuer key");
    auto a = delete_file(make_args({{"path", "/tmp/test.txt"}}));
    expect(a.has_value(), "audit: delete /tmp/test.txt allowed");
    auto b = delete_file(make_args({{"path", "/etc/passwd"}}));
    expect(b.has_value(), "audit: delete /etc/passwd logged as violation, let through");
  }
  expect(deleted.size() == 2, "audit: the tool ran twice");

  // Step 4: enforce mode. The same violation is refused and the tool does not run.
  configured = configure({.issuer_key = issuer->clone(SecretAccess{}),
                          .mode = EnforcementMode::Enforce,
                          .trusted_roots = {root},
                          .audit_log = log_path});
  expect(configured.has_value() && is_enforce_mode(), "configure(enforce)");
  {
    WarrantScope scope({Capability("delete_file", {{"path", Subpath("/tmp")}})});
    // The scope's warrant answers before any call is made.
    const Object etc = make_args({{"path", "/etc/passwd"}});
    expect(scope.warrant() != nullptr && !scope.warrant()->allows("delete_file", etc),
           "enforce: the scope's warrant does not allow /etc/passwd");
    auto a = delete_file(make_args({{"path", "/tmp/test.txt"}}));
    expect(a.has_value(), "enforce: delete /tmp/test.txt allowed");
    auto b = delete_file(etc);
    expect(!b.has_value() && b.error().code == ErrorCode::ConstraintViolation,
           "enforce: delete /etc/passwd refused with constraint-violation (1501)");
  }
  // Outside any scope nothing is authorized.
  auto outside = delete_file(make_args({{"path", "/tmp/test.txt"}}));
  expect(!outside.has_value() && outside.error().code == ErrorCode::ToolNotAuthorized,
         "enforce: no warrant in scope -> refused (1500)");
  expect(deleted.size() == 3, "enforce: the tool ran only for the allowed call");

  for (const auto& p : deleted) std::printf("recorded delete_file(%s)\n", p.c_str());
  std::printf("audit log: %s\n", log_path.c_str());
  reset_configuration();
  return g_failures == 0 ? 0 : 1;
}
