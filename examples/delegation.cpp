// Orchestrator -> worker delegation: the control plane mints a broad warrant for the
// orchestrator; the orchestrator grants a narrower one to a worker; a tool server trusting only
// the control plane accepts the worker's in-bounds call and refuses the rest with their codes.
#include <tenuo/authorizer.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/constraints.hpp>
#include <tenuo/warrant_use.hpp>

#include <chrono>
#include <cstdio>
#include <vector>

using namespace tenuo;
using namespace std::chrono_literals;

namespace {
int g_failures = 0;
void expect(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) ++g_failures;
}
}  // namespace

int main() {
  auto control = SigningKey::generate();
  auto orchestrator = SigningKey::generate();
  auto worker = SigningKey::generate();
  if (!control || !orchestrator || !worker) return 1;

  auto root = Warrant::mint_builder()
                  .capability("manage_infrastructure",
                              {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
                  .holder(orchestrator->public_key())
                  .ttl(3600s)
                  .mint(*control);
  expect(root.has_value(), "control plane mints the orchestrator's warrant");
  if (!root) return 1;

  auto child = root->grant_builder()
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                   .holder(worker->public_key())
                   .ttl(300s)
                   .grant(*orchestrator);
  expect(child.has_value(), "orchestrator grants the worker a narrower warrant");
  if (!child) return 1;

  auto wider = root->grant_builder()
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("*")}, {"replicas", Range::max_value(100)}})
                   .holder(worker->public_key())
                   .grant(*orchestrator);
  expect(!wider.has_value(), "a widening grant is refused before signing");
  if (!wider) std::printf("     refused with %d (%s)\n", wider.error().numeric(), std::string(name(wider.error().code)).c_str());

  AuthorizerOptions opts;
  opts.roots.keys = {control->public_key()};
  auto server = Authorizer::create(opts);
  if (!server) return 1;
  const std::vector<Warrant> chain{*root, *child};

  auto call = [&](const Object& a) {
    return (*server)->check(chain, ToolCall{"manage_infrastructure", a,
                                            child->sign(*worker, "manage_infrastructure", a)});
  };
  auto ok = call(make_args({{"cluster", "staging-web"}, {"replicas", 2}}));
  expect(ok.allowed, "worker: scale staging-web to 2 -> allowed");
  auto too_many = call(make_args({{"cluster", "staging-web"}, {"replicas", 10}}));
  expect(!too_many.allowed && too_many.code == ErrorCode::ConstraintViolation,
         "worker: 10 replicas -> constraint-violation (1501)");
  auto prod = call(make_args({{"cluster", "prod-web"}, {"replicas", 1}}));
  expect(!prod.allowed && prod.code == ErrorCode::ConstraintViolation,
         "worker: prod-web -> constraint-violation (1501)");
  // The worker can ask its own warrant before calling: allows() and why_denied().
  const Object prod_args = make_args({{"cluster", "prod-web"}, {"replicas", 1}});
  expect(!child->allows("manage_infrastructure", prod_args), "worker's warrant does not allow prod-web");
  auto d = child->why_denied("manage_infrastructure", prod_args);
  expect(!d.allowed && !d.arguments.empty() && d.arguments.front().arg == "cluster",
         "why_denied names the failing argument");

  // The orchestrator cannot use the worker's warrant: its PoP is not the holder's.
  const Object a = make_args({{"cluster", "staging-web"}, {"replicas", 1}});
  auto stolen = (*server)->check(chain, ToolCall{"manage_infrastructure", a,
                                                 child->sign(*orchestrator, "manage_infrastructure", a)});
  expect(!stolen.allowed && stolen.code == ErrorCode::SignatureInvalid,
         "orchestrator using the worker's warrant -> signature-invalid (1100)");
  return g_failures == 0 ? 0 : 1;
}
