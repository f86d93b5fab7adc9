// A verifying tool server loop: the agent binds its warrant to its key once (BoundWarrant) and
// sends X-Tenuo-Warrant / X-Tenuo-PoP headers with every request; the server's Authorizer
// checks each one. Then the server revokes the warrant and the next request is refused.
#include <tenuo/arguments.hpp>
#include <tenuo/authorizer.hpp>
#include <tenuo/bound_warrant.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/constraints.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace tenuo;
using namespace std::chrono_literals;

namespace {
int g_failures = 0;
void expect(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++g_failures;
}
struct Request {
  std::string tool;
  Object args;
  bool expect_allowed;
};
}  // namespace

int main() {
  auto issuer = SigningKey::generate();
  auto agent = SigningKey::generate();
  if (!issuer || !agent) return 1;
  auto w = mint_builder()
               .capability("read_file", {{"path", Subpath("/data")}})
               .capability("fetch", {{"url", UrlSafe{.allow_domains = std::vector<std::string>{"api.example.com"}}}})
               .holder(agent->public_key())
               .ttl(600s)
               .mint(*issuer);
  if (!w) {
    std::printf("mint failed: %s\n", w.error().message.c_str());
    return 1;
  }
  auto bound = w->bind(*agent);
  expect(bound.has_value(), "agent binds its warrant to its key");
  if (!bound) return 1;

  AuthorizerOptions opts;
  opts.roots.keys = {issuer->public_key()};
  auto server = Authorizer::create(opts);
  if (!server) return 1;

  const std::vector<Request> requests{
      {"read_file", make_args({{"path", "/data/report.csv"}}), true},
      {"read_file", make_args({{"path", "/data/../etc/shadow"}}), false},
      {"fetch", make_args({{"url", "https://api.example.com/v1/items"}}), true},
      {"fetch", make_args({{"url", "http://169.254.169.254/latest/meta-data"}}), false},
      {"delete_file", make_args({{"path", "/data/report.csv"}}), false},
  };
  for (const auto& r : requests) {
    const Headers h = bound->headers(r.tool, r.args);  // what the agent sends
    const Decision d = (*server)->check_headers(h, r.tool, r.args);
    std::printf("     %s %s -> %s", r.tool.c_str(), canonical_json(r.args).c_str(),
                d.allowed ? "allow" : "deny");
    if (!d.allowed) std::printf(" (%d)", static_cast<int>(*d.code));
    std::printf("\n");
    expect(d.allowed == r.expect_allowed, r.tool + " decided as expected");
  }

  // A proof for one call does not authorize another.
  Headers h = bound->headers("read_file", make_args({{"path", "/data/a"}}));
  auto replay = (*server)->check_headers(h, "read_file", make_args({{"path", "/data/b"}}));
  expect(!replay.allowed && replay.code == ErrorCode::SignatureInvalid, "replayed PoP -> signature-invalid (1100)");

  (*server)->revoke(w->id_text());
  auto revoked = (*server)->check_headers(bound->headers("read_file", make_args({{"path", "/data/a"}})),
                                          "read_file", make_args({{"path", "/data/a"}}));
  expect(!revoked.allowed && revoked.code == ErrorCode::WarrantRevoked, "revoked warrant -> warrant-revoked (1800)");
  return g_failures == 0 ? 0 : 1;
}
