// The C++ idiom layer (issue 8 parity list): keys from the environment and text forms,
// Config / configure / auto_configure, constraint constructors, fluent builders, using a
// warrant (sign / allows / why_denied / headers, free and as Warrant members), BoundWarrant,
// Authorizer decisions with their codes and PoP windows, guard in audit vs enforce, and
// WarrantScope nesting, thread-locality and existing chains.
#include <tenuo/arguments.hpp>
#include <tenuo/audit_log.hpp>
#include <tenuo/authorizer.hpp>
#include <tenuo/bound_warrant.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/config.hpp>
#include <tenuo/constraints.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/guard.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/warrant_scope.hpp>
#include <tenuo/warrant_use.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <unistd.h>

using namespace tenuo;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kNow = 1'750'000'000;

SigningKey fresh() { return SigningKey::generate().value(); }

template <class T>
void expect_code(const Result<T>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().code == code, r.error().message);
}

Warrant infra_warrant(const SigningKey& issuer, const PublicKey& holder) {
  auto w = mint_builder()
               .capability("manage_infrastructure",
                           {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
               .holder(holder)
               .ttl(3600s)
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  return *w;
}

struct EnvGuard {  // sets variables for one test and clears them afterwards
  std::vector<std::string> names;
  void set(const std::string& n, const std::string& v) {
    ::setenv(n.c_str(), v.c_str(), 1);
    names.push_back(n);
  }
  ~EnvGuard() {
    for (const auto& n : names) ::unsetenv(n.c_str());
  }
};

}  // namespace

TEST_SUITE("tenuo::api") {

TEST_CASE("keys: generate, from_env (hex, base64, PEM), TENUO_KEY_<id>, text round trips") {
  const SigningKey k = fresh();
  EnvGuard env;
  env.set("TENUO_API_TEST_KEY", k.seed_hex(SecretAccess{}));
  auto from_hex = SigningKey::from_env("TENUO_API_TEST_KEY");
  REQUIRE(from_hex.has_value());
  CHECK(from_hex->public_key() == k.public_key());
  env.set("TENUO_API_TEST_KEY", k.seed_base64(SecretAccess{}));
  CHECK(SigningKey::from_env("TENUO_API_TEST_KEY")->public_key() == k.public_key());
  env.set("TENUO_API_TEST_KEY", k.to_pem(SecretAccess{}));
  CHECK(SigningKey::from_env("TENUO_API_TEST_KEY")->public_key() == k.public_key());
  env.set("TENUO_API_TEST_PUB", k.public_key().base64());
  CHECK(PublicKey::from_env("TENUO_API_TEST_PUB").value() == k.public_key());
  CHECK(PublicKey::parse(k.public_key().to_pem()).value() == k.public_key());
  CHECK(PublicKey::parse(k.public_key().hex()).value() == k.public_key());
  CHECK(PublicKey::from_bytes(k.public_key().bytes()).value() == k.public_key());

  env.set("TENUO_KEY_worker1", k.seed_base64(SecretAccess{}));
  CHECK(signing_key_for("worker1")->public_key() == k.public_key());
  CHECK(public_key_for("worker1").value() == k.public_key());
  // A seed whose 32 bytes also decode as a curve point (about half of all seeds) is still
  // read as a secret: the named key's public half, never the seed bytes as a public key.
  for (int i = 0; i < 64; ++i) {
    const SigningKey s = fresh();
    if (!PublicKey::from_bytes(s.expose_secret_bytes(SecretAccess{}))) continue;
    env.set("TENUO_KEY_worker2", s.seed_base64(SecretAccess{}));
    CHECK(public_key_for("worker2").value() == s.public_key());
    env.set("TENUO_KEY_worker2", s.seed_hex(SecretAccess{}));
    CHECK(public_key_for("worker2").value() == s.public_key());
  }
  env.set("TENUO_KEY_worker3", k.public_key().to_pem());
  CHECK(public_key_for("worker3").value() == k.public_key());
  expect_code(signing_key_for("worker3"), ErrorCode::InvalidInput);
  expect_code(signing_key_for("nobody"), ErrorCode::InvalidInput);
  env.set("TENUO_API_TEST_KEY", "not a key");
  expect_code(SigningKey::from_env("TENUO_API_TEST_KEY"), ErrorCode::InvalidInput);
  env.set("TENUO_API_TEST_PUB", "not a key");
  expect_code(PublicKey::from_env("TENUO_API_TEST_PUB"), ErrorCode::InvalidInput);

  // Bytes, hex, base64 and both PEM forms of the secret round-trip to the same key.
  const auto seed = k.expose_secret_bytes(SecretAccess{});
  REQUIRE(seed.size() == SigningKey::kSeedSize);
  CHECK(SigningKey::from_seed(seed)->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.seed_hex(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.seed_base64(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.to_pem(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.to_pem_v2(SecretAccess{}))->public_key() == k.public_key());
  CHECK(hex_decode(k.seed_hex(SecretAccess{})).value() == Bytes(seed.begin(), seed.end()));
  CHECK(hex_decode(k.public_key().hex()).value() ==
        Bytes(k.public_key().bytes().begin(), k.public_key().bytes().end()));
  CHECK(PublicKey::parse(k.public_key().base64()).value() == k.public_key());
  expect_code(SigningKey::from_seed(Bytes(31, 7)), ErrorCode::InvalidInput);
  expect_code(PublicKey::from_bytes(Bytes(31, 7)), ErrorCode::InvalidInput);
}

TEST_CASE("configure: production refuses to start without trusted roots unless dev mode") {
  const SigningKey k = fresh();
  expect_code(Config::create({.issuer_key = k.clone(SecretAccess{}), .mode = EnforcementMode::Enforce}),
              ErrorCode::InvalidInput);
  auto dev = Config::create({.issuer_key = k.clone(SecretAccess{}), .dev_mode = DevMode::On});
  REQUIRE(dev.has_value());
  // Dev mode without roots trusts only the configured issuer.
  REQUIRE(dev->trusted_roots().keys.size() == 1);
  CHECK(dev->trusted_roots().keys[0] == k.public_key());
  auto prod = Config::create({.mode = EnforcementMode::Audit, .trusted_roots = {k.public_key()}});
  REQUIRE(prod.has_value());
  CHECK(prod->issuer_key() == nullptr);
  CHECK(prod->is_audit_mode());
  CHECK_FALSE(prod->should_block_violation());
  expect_code(Config::create({.trusted_roots = {k.public_key()}, .pop_windows = 1}), ErrorCode::InvalidInput);

  reset_configuration();
  CHECK(current_config() == nullptr);
  CHECK(is_enforce_mode());  // fail closed when nothing is configured
  CHECK(should_block_violation());
  REQUIRE(configure({.mode = EnforcementMode::Audit, .trusted_roots = {k.public_key()}}).has_value());
  CHECK(is_audit_mode());
  CHECK_FALSE(should_block_violation());
  // A refused configuration leaves the previous one in place.
  CHECK_FALSE(configure({.mode = EnforcementMode::Enforce}).has_value());
  CHECK(is_audit_mode());
  // An existing Config installs as is; a reader keeps its snapshot across a reconfiguration.
  const std::shared_ptr<const Config> before = current_config();
  configure(Config::create({.mode = EnforcementMode::Permissive, .trusted_roots = {k.public_key()},
                            .pop_windows = 7})
                .value());
  REQUIRE(current_config() != nullptr);
  CHECK(current_config()->mode() == EnforcementMode::Permissive);
  CHECK(current_config()->pop_windows() == 7);
  CHECK_FALSE(is_audit_mode());
  CHECK_FALSE(is_enforce_mode());
  CHECK_FALSE(should_block_violation());
  CHECK(before->is_audit_mode());
  reset_configuration();
}

TEST_CASE("auto_configure reads TENUO_ISSUER_KEY, TENUO_MODE, TENUO_TRUSTED_ROOTS, TENUO_DEV_MODE") {
  const SigningKey issuer = fresh();
  const SigningKey other = fresh();
  EnvGuard env;
  env.set("TENUO_ISSUER_KEY", issuer.seed_base64(SecretAccess{}));
  env.set("TENUO_MODE", "audit");
  reset_configuration();
  expect_code(auto_configure(), ErrorCode::InvalidInput);  // no roots, no dev mode
  CHECK(current_config() == nullptr);
  env.set("TENUO_DEV_MODE", "1");
  REQUIRE(auto_configure().has_value());
  CHECK(is_audit_mode());
  REQUIRE(current_config()->issuer_key() != nullptr);
  CHECK(current_config()->issuer_key()->public_key() == issuer.public_key());
  env.set("TENUO_DEV_MODE", "0");
  env.set("TENUO_MODE", "enforce");
  env.set("TENUO_TRUSTED_ROOTS", issuer.public_key().hex() + " , " + other.public_key().base64());
  auto c = Config::from_env();
  REQUIRE(c.has_value());
  CHECK(c->is_enforce_mode());
  CHECK(c->dev_mode() == DevMode::Off);
  REQUIRE(c->trusted_roots().keys.size() == 2);
  CHECK(c->trusted_roots().keys[1] == other.public_key());
  CHECK_FALSE(c->audit_log().has_value());
  env.set("TENUO_AUDIT_LOG", "/var/log/tenuo/decisions.jsonl");
  CHECK(Config::from_env()->audit_log() == std::optional<std::string>("/var/log/tenuo/decisions.jsonl"));
  env.set("TENUO_DEV_MODE", "maybe");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  env.set("TENUO_DEV_MODE", "off");
  env.set("TENUO_MODE", "strict");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  env.set("TENUO_MODE", "enforce");
  env.set("TENUO_TRUSTED_ROOTS", "garbage");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  reset_configuration();
}

TEST_CASE("constraint constructors produce the protocol constraint types") {
  CHECK(Pattern("staging-*") == Constraint(c::Pattern{"staging-*"}));
  const auto r = Range::max_value(15);
  REQUIRE(r.get_if<c::Range>() != nullptr);
  CHECK_FALSE(r.get_if<c::Range>()->min.has_value());
  CHECK(*r.get_if<c::Range>()->max == 15.0);
  CHECK(*Range::between(1, 5).get_if<c::Range>()->min == 1.0);
  CHECK_FALSE(Range::half_open(1, 5).get_if<c::Range>()->max_inclusive);
  CHECK(Subpath("/tmp").get_if<c::Subpath>()->root == "/tmp");
  CHECK_FALSE(Subpath("/tmp", PathCase::Insensitive).get_if<c::Subpath>()->case_sensitive);
  const Constraint u = UrlSafe{.allow_domains = std::vector<std::string>{"api.example.com"}};
  CHECK(u.type_id() == static_cast<std::uint8_t>(ConstraintType::UrlSafe));
  CHECK(OneOf({"a", "b"}).type_id() == static_cast<std::uint8_t>(ConstraintType::OneOf));
  CHECK(Exact(42).type_id() == static_cast<std::uint8_t>(ConstraintType::Exact));
  CHECK(Wildcard().type_id() == static_cast<std::uint8_t>(ConstraintType::Wildcard));
  CHECK(Regex("^a+$").type_id() == static_cast<std::uint8_t>(ConstraintType::Regex));
  CHECK(Cidr("10.0.0.0/8").type_id() == static_cast<std::uint8_t>(ConstraintType::Cidr));
  CHECK(All({Pattern("a*"), Not(Exact("ab"))}).depth() == 2);
  CHECK(Any({Pattern("a*")}).type_id() == static_cast<std::uint8_t>(ConstraintType::Any));
  CHECK(All({Pattern("a*")}).type_id() == static_cast<std::uint8_t>(ConstraintType::All));
  CHECK(Not(Wildcard()).type_id() == static_cast<std::uint8_t>(ConstraintType::Not));
  CHECK(*Range::min_value(2).get_if<c::Range>()->min == 2.0);
  CHECK_FALSE(Range::min_value(2).get_if<c::Range>()->max.has_value());
  CHECK_FALSE(Subpath("/tmp", PathCase::Sensitive, RootItself::Refused).get_if<c::Subpath>()->allow_equal);
}

TEST_CASE("constraint constructors: NotOneOf, UrlPattern, Contains, Subset, Cel, Shlex") {
  struct Case {
    Constraint c;
    ConstraintType type;
  };
  const std::vector<Case> cases{
      {NotOneOf({"prod", "admin"}), ConstraintType::NotOneOf},
      {UrlPattern("https://*.example.com/api/*"), ConstraintType::UrlPattern},
      {Contains({"read"}), ConstraintType::Contains},
      {Subset({"read", "write", 3}), ConstraintType::Subset},
      {Cel("value > 0 && value < 10"), ConstraintType::Cel},
      {Shlex({"ls", "grep"}), ConstraintType::Shlex},
  };
  for (const auto& [c, type] : cases) {
    CAPTURE(display(c));
    CHECK(c.type_id() == static_cast<std::uint8_t>(type));
    // Round trips: CBOR bytes (as a warrant carries them) and the JSON form.
    const Bytes bytes = cbor::encode(to_cbor(c));
    auto decoded = constraint_from_cbor(cbor::decode(bytes).value());
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().message);
    CHECK(*decoded == c);
    CHECK(cbor::encode(to_cbor(*decoded)) == bytes);
    auto from_json = constraint_from_json_text(to_json_text(c));
    REQUIRE_MESSAGE(from_json.has_value(), from_json.error().message);
    CHECK(*from_json == c);
  }
  // The operands land in the wire fields.
  CHECK(NotOneOf({"prod"}).get_if<c::NotOneOf>()->excluded == std::vector<Value>{"prod"});
  CHECK(UrlPattern("https://a.example/*").get_if<c::UrlPattern>()->pattern == "https://a.example/*");
  CHECK(Contains({"read"}).get_if<c::Contains>()->required == std::vector<Value>{"read"});
  CHECK(Subset({1, 2}).get_if<c::Subset>()->allowed == std::vector<Value>{1, 2});
  CHECK(Cel("value > 0").get_if<c::Cel>()->expression == "value > 0");
  CHECK_FALSE(Cel("value > 0").get_if<c::Cel>()->parent_expression.has_value());
  CHECK(Shlex({"ls"}).get_if<c::Shlex>()->allow == std::vector<std::string>{"ls"});

  // In a minted warrant they survive decoding and decide calls as constructed.
  const SigningKey issuer = fresh();
  auto w = Warrant::mint_builder()
               .capability("run", {{"env", NotOneOf({"prod"})},
                                   {"url", UrlPattern("https://*.example.com/*")},
                                   {"perms", Contains({"read"})},
                                   {"scopes", Subset({"read", "write"})},
                                   {"n", Cel("value > 0 && value < 10")},
                                   {"cmd", Shlex({"ls"})}})
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  auto back = decode_warrant(w->envelope_bytes());
  REQUIRE(back.has_value());
  CHECK(back->payload().tools == w->payload().tools);
  const Object good = make_args({{"env", "staging"},
                                 {"url", "https://api.example.com/v1"},
                                 {"perms", List{"read", "list"}},
                                 {"scopes", List{"read"}},
                                 {"n", 5},
                                 {"cmd", "ls -la /tmp"}});
  const auto with = [&good](const std::string& key, Value v) {
    Object o = good;
    for (auto& m : o)
      if (m.key == key) m.value = v;
    return o;
  };
  CHECK(back->allows("run", good));
  CHECK_FALSE(back->allows("run", with("env", "prod")));
  CHECK_FALSE(back->allows("run", with("url", "https://evil.test/v1")));
  CHECK_FALSE(back->allows("run", with("perms", List{"list"})));
  CHECK_FALSE(back->allows("run", with("scopes", List{"read", "admin"})));
  CHECK_FALSE(back->allows("run", with("n", 12)));
  CHECK_FALSE(back->allows("run", with("cmd", "rm -rf /")));
}

TEST_CASE("builders: mint_builder and grant_builder sign what they describe and refuse widening") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  CHECK(w.payload().issuer == issuer.public_key());
  CHECK(w.payload().holder == agent.public_key());
  CHECK(w.payload().expires_at - w.payload().issued_at == 3600);
  const auto* set = w.payload().tool("manage_infrastructure");
  REQUIRE(set != nullptr);
  CHECK(*set->find("cluster") == Pattern("staging-*"));
  CHECK(*set->find("replicas") == Range::max_value(15));

  auto child = grant_builder(w)
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                   .holder(worker.public_key())
                   .ttl(300s)
                   .at(kNow + 10)
                   .grant(agent);
  REQUIRE_MESSAGE(child.has_value(), child.error().message);
  CHECK(child->payload().holder == worker.public_key());
  CHECK(child->payload().parent_hash == w.payload_hash());
  CHECK(child->payload().depth == 1);

  auto wider = grant_builder(w)
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("*")}, {"replicas", Range::max_value(15)}})
                   .at(kNow + 10)
                   .grant(agent);
  REQUIRE_FALSE(wider.has_value());
  CHECK((wider.error().code == ErrorCode::CapabilityExpansion ||
         wider.error().code == ErrorCode::InvalidAttenuation));
  auto new_tool = grant_builder(w).tool("delete_everything").at(kNow + 10).grant(agent);
  REQUIRE_FALSE(new_tool.has_value());
  CHECK((new_tool.error().code == ErrorCode::CapabilityExpansion ||
         new_tool.error().code == ErrorCode::InvalidAttenuation));
  expect_code(grant_builder(w).at(kNow + 10).grant(worker), ErrorCode::InvalidIssuer);
  // No capability: the child keeps the parent's tools.
  auto same = grant_builder(w).at(kNow + 10).grant(agent);
  REQUIRE(same.has_value());
  CHECK(same->payload().tools == w.payload().tools);
}

TEST_CASE("using a warrant: sign, allows, why_denied, headers") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  const Object ok = make_args({{"replicas", 3}, {"cluster", "staging-web"}});
  const Object bad = make_args({{"cluster", "prod-web"}, {"replicas", 3}});

  const Signature sig = sign(w, agent, "manage_infrastructure", ok, kNow);
  CHECK(pop_verify(agent.public_key(), w.id(), "manage_infrastructure", ok, sig, kNow).has_value());
  CHECK_FALSE(pop_verify(agent.public_key(), w.id(), "manage_infrastructure", bad, sig, kNow).has_value());

  CHECK(allows(w, "manage_infrastructure", ok));
  CHECK_FALSE(allows(w, "manage_infrastructure", bad));
  CHECK_FALSE(allows(w, "manage_infrastructure", make_args({{"cluster", "staging-web"}, {"replicas", 16}})));
  CHECK_FALSE(allows(w, "delete_file", ok));
  CHECK_FALSE(allows(w, "manage_infrastructure",
                     make_args({{"cluster", "staging-web"}, {"replicas", 3}, {"force", true}})));

  const Diagnosis yes = why_denied(w, "manage_infrastructure", ok, kNow + 5);
  CHECK(yes.allowed);
  const Diagnosis no = why_denied(w, "manage_infrastructure", bad, kNow + 5);
  CHECK_FALSE(no.allowed);
  CHECK(no.first_code == ErrorCode::ConstraintViolation);
  REQUIRE(no.arguments.size() == 1);
  CHECK(no.arguments[0].arg == "cluster");
  CHECK(why_denied(w, "delete_file", ok, kNow + 5).first_code == ErrorCode::ToolNotAuthorized);
  CHECK(why_denied(w, "manage_infrastructure", ok, kNow + 7200).first_code == ErrorCode::WarrantExpired);

  const Headers h = headers(w, agent, "manage_infrastructure", ok, kNow);
  REQUIRE(h.count("X-Tenuo-Warrant") == 1);
  REQUIRE(h.count("X-Tenuo-PoP") == 1);
  auto decoded = read_warrants(as_bytes(h.at("X-Tenuo-Warrant")));
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == 1);
  CHECK(decoded->front().envelope_bytes().size() == w.envelope_bytes().size());
  CHECK(decoded->front().payload_hash() == w.payload_hash());
  auto pop = base64_decode(h.at("X-Tenuo-PoP"), Base64Alphabet::Standard, Padding::Yes);
  REQUIRE(pop.has_value());
  CHECK(*pop == Bytes(sig.begin(), sig.end()));
}

TEST_CASE("Warrant members: the SDK spellings give what the free functions give") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  // Warrant::mint_builder() is mint_builder().
  auto w = Warrant::mint_builder()
               .capability("manage_infrastructure",
                           {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
               .holder(agent.public_key())
               .ttl(3600s)
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  const Warrant free_minted = infra_warrant(issuer, agent.public_key());
  CHECK(w->payload().tools == free_minted.payload().tools);
  CHECK(w->payload().holder == agent.public_key());
  CHECK(w->payload().issuer == issuer.public_key());
  CHECK(w->payload().issued_at == free_minted.payload().issued_at);
  CHECK(w->payload().expires_at == free_minted.payload().expires_at);

  // w.grant_builder() is grant_builder(w): same child, same refusals.
  const auto narrow = [&](GrantBuilder b) {
    return b.capability("manage_infrastructure",
                        {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
        .holder(worker.public_key())
        .ttl(300s)
        .at(kNow + 10)
        .grant(agent);
  };
  auto child = narrow(w->grant_builder());
  REQUIRE_MESSAGE(child.has_value(), child.error().message);
  auto twin = narrow(grant_builder(*w));
  REQUIRE(twin.has_value());
  CHECK(child->payload().parent_hash == w->payload_hash());
  CHECK(child->payload().tools == twin->payload().tools);
  CHECK(child->payload().expires_at == static_cast<std::uint64_t>(kNow + 10 + 300));
  CHECK(child->payload().holder == worker.public_key());
  expect_code(w->grant_builder().at(kNow + 10).grant(worker), ErrorCode::InvalidIssuer);
  auto wider = w->grant_builder().tool("delete_everything").at(kNow + 10).grant(agent);
  auto wider_free = grant_builder(*w).tool("delete_everything").at(kNow + 10).grant(agent);
  REQUIRE_FALSE(wider.has_value());
  REQUIRE_FALSE(wider_free.has_value());
  CHECK(wider.error().code == wider_free.error().code);

  const std::string tool = "manage_infrastructure";
  const Object ok = make_args({{"cluster", "staging-web"}, {"replicas", 3}});
  const Object bad = make_args({{"cluster", "prod-web"}, {"replicas", 3}});
  // sign: Ed25519 is deterministic, so the member and the function give the same bytes.
  const Signature sig = w->sign(agent, tool, ok, kNow);
  CHECK(sig == sign(*w, agent, tool, ok, kNow));
  CHECK(pop_verify(agent.public_key(), w->id(), tool, ok, sig, kNow).has_value());
  CHECK(w->sign(agent, tool, ok, kNow + 60) != sig);  // another window, another proof
  // allows
  CHECK(w->allows(tool, ok));
  CHECK_FALSE(w->allows(tool, bad));
  CHECK_FALSE(w->allows("delete_file", ok));
  CHECK_FALSE(child->allows(tool, make_args({{"cluster", "staging-web"}, {"replicas", 4}})));
  // why_denied
  const Diagnosis d = w->why_denied(tool, bad, kNow + 5);
  CHECK_FALSE(d.allowed);
  CHECK(d.first_code == ErrorCode::ConstraintViolation);
  REQUIRE(d.arguments.size() == 1);
  CHECK(d.arguments[0].arg == "cluster");
  CHECK(w->why_denied(tool, ok, kNow + 5).allowed);
  CHECK(w->why_denied(tool, ok, kNow + 7200).first_code == ErrorCode::WarrantExpired);
  CHECK(w->why_denied("delete_file", ok, kNow + 5).first_code == ErrorCode::ToolNotAuthorized);
  // headers
  const Headers h = w->headers(agent, tool, ok, kNow);
  CHECK(h == headers(*w, agent, tool, ok, kNow));
  CHECK(h.at(std::string(kPopHeader)) == base64_encode(sig, Base64Alphabet::Standard, Padding::Yes));
  // bind
  expect_code(w->bind(issuer), ErrorCode::InvalidIssuer);
  auto bound = w->bind(agent);
  REQUIRE(bound.has_value());
  CHECK(bound->warrant().payload_hash() == w->payload_hash());
  CHECK(bound->headers(tool, ok, kNow) == h);
  CHECK(bound->why_denied(tool, bad, kNow + 5).first_code == ErrorCode::ConstraintViolation);
  CHECK(bound->why_denied(tool, ok, kNow + 5).allowed);

  // A server accepts what the members produce.
  AuthorizerOptions opts;
  opts.roots.keys = {issuer.public_key()};
  auto az = Authorizer::create(opts).value();
  CHECK(az->check_headers(h, tool, ok, kNow).allowed);
  const std::vector<Warrant> chain{*w, *child};
  CHECK(az->check(chain, ToolCall{tool, ok, child->sign(worker, tool, ok, kNow + 20)}, kNow + 20).allowed);
}

TEST_CASE("BoundWarrant: move-only, holder-checked, same proofs as the free functions") {
  static_assert(!std::is_copy_constructible_v<BoundWarrant>);
  static_assert(!std::is_copy_assignable_v<BoundWarrant>);
  static_assert(std::is_move_constructible_v<BoundWarrant>);
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  expect_code(bind(w, issuer), ErrorCode::InvalidIssuer);
  auto b = bind(w, agent);
  REQUIRE(b.has_value());
  BoundWarrant moved = std::move(b).value();
  const Object a = make_args({{"cluster", "staging-a"}, {"replicas", 1}});
  CHECK(moved.holder() == agent.public_key());
  CHECK(moved.headers("manage_infrastructure", a, kNow) == headers(w, agent, "manage_infrastructure", a, kNow));
  CHECK(moved.sign("manage_infrastructure", a, kNow) == sign(w, agent, "manage_infrastructure", a, kNow));
  CHECK(moved.allows("manage_infrastructure", a));
  CHECK_FALSE(moved.allows("manage_infrastructure", make_args({{"cluster", "prod"}, {"replicas", 1}})));
}

TEST_CASE("Authorizer: decisions carry the protocol error code") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey stranger = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  expect_code(Authorizer::create({}), ErrorCode::InvalidInput);
  AuthorizerOptions opts;
  opts.roots.keys = {issuer.public_key()};
  auto authz = Authorizer::create(opts);
  REQUIRE(authz.has_value());
  const Authorizer& az = **authz;
  const std::vector<Warrant> chain{w};
  const auto call = [&](std::string tool, Object a, const SigningKey& k, std::int64_t at) {
    return az.check(chain, ToolCall{tool, a, sign(w, k, tool, a, at)}, at);
  };
  const Object ok = make_args({{"cluster", "staging-a"}, {"replicas", 1}});
  const Decision yes = call("manage_infrastructure", ok, agent, kNow + 1);
  CHECK(yes.allowed);
  CHECK(yes.matched_tool == "manage_infrastructure");
  CHECK(yes.warrant_id == w.id_text());
  CHECK(call("manage_infrastructure", make_args({{"cluster", "staging-a"}, {"replicas", 99}}), agent, kNow + 1).code ==
        ErrorCode::ConstraintViolation);
  CHECK(call("delete_file", ok, agent, kNow + 1).code == ErrorCode::ToolNotAuthorized);
  CHECK(call("manage_infrastructure", ok, stranger, kNow + 1).code == ErrorCode::SignatureInvalid);
  CHECK(call("manage_infrastructure", ok, agent, kNow + 4000).code == ErrorCode::WarrantExpired);
  // Bytes in, same decision; and headers in.
  const Bytes stack = encode_stack(chain);
  CHECK(az.check(stack, ToolCall{"manage_infrastructure", ok, sign(w, agent, "manage_infrastructure", ok, kNow)}, kNow)
            .allowed);
  CHECK(az.check_headers(headers(w, agent, "manage_infrastructure", ok, kNow), "manage_infrastructure", ok, kNow)
            .allowed);
  Headers no_pop{{"X-Tenuo-Warrant", headers(w, agent, "manage_infrastructure", ok, kNow).at("X-Tenuo-Warrant")}};
  CHECK(az.check_headers(no_pop, "manage_infrastructure", ok, kNow).code == ErrorCode::SignatureInvalid);
  CHECK(az.check_headers({}, "manage_infrastructure", ok, kNow).code == ErrorCode::InvalidInput);

  AuthorizerOptions other;
  other.roots.keys = {stranger.public_key()};
  CHECK((*Authorizer::create(other))->check(chain, ToolCall{"manage_infrastructure", ok, sign(w, agent, "manage_infrastructure", ok, kNow)}, kNow).code ==
        ErrorCode::UntrustedRoot);

  // Revocation while other threads check.
  std::thread t([&] {
    for (int i = 0; i < 50; ++i) (void)call("manage_infrastructure", ok, agent, kNow + 1);
  });
  (*authz)->revoke(w.id_text());
  t.join();
  CHECK(call("manage_infrastructure", ok, agent, kNow + 1).code == ErrorCode::WarrantRevoked);
  (*authz)->set_revoked({});
  CHECK(call("manage_infrastructure", ok, agent, kNow + 1).allowed);
}

TEST_CASE("Authorizer: pop_windows widens or narrows the accepted PoP windows") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  const std::vector<Warrant> chain{w};
  const std::string tool = "manage_infrastructure";
  const Object a = make_args({{"cluster", "staging-a"}, {"replicas", 1}});
  const std::int64_t at = pop_window_start(kNow + 600) + 15;  // mid-window, warrant valid
  // A proof signed `k` windows away from the verifier's window (negative: in the past).
  const auto proof = [&](int k) { return ToolCall{tool, a, sign(w, agent, tool, a, at + k * kPopWindowSeconds)}; };
  const auto with_windows = [&](int n) {
    AuthorizerOptions o;
    o.roots.keys = {issuer.public_key()};
    o.pop_windows = n;
    return Authorizer::create(o).value();
  };
  const auto by_default = with_windows(kPopDefaultMaxWindows);  // 5: offsets 0, -1, +1, -2, +2
  const auto wide = with_windows(10);                            // 10: offsets -5..+4
  const auto narrow = with_windows(2);                           // 2: offsets 0, -1

  CHECK(by_default->check(chain, proof(-2), at).allowed);
  CHECK(by_default->check(chain, proof(-4), at).code == ErrorCode::SignatureInvalid);
  CHECK(wide->check(chain, proof(-4), at).allowed);
  CHECK(wide->check(chain, proof(4), at).allowed);
  CHECK(wide->check(chain, proof(-5), at).allowed);
  CHECK(wide->check(chain, proof(5), at).code == ErrorCode::SignatureInvalid);  // ten windows: -5..+4
  CHECK(wide->check(chain, proof(-6), at).code == ErrorCode::SignatureInvalid);
  CHECK(by_default->check(chain, proof(1), at).allowed);
  CHECK(narrow->check(chain, proof(1), at).code == ErrorCode::SignatureInvalid);
  CHECK(narrow->check(chain, proof(-1), at).allowed);
  CHECK(narrow->check(chain, proof(0), at).allowed);

  AuthorizerOptions bad;
  bad.roots.keys = {issuer.public_key()};
  bad.pop_windows = 1;
  expect_code(Authorizer::create(bad), ErrorCode::InvalidInput);
  bad.pop_windows = 11;
  expect_code(Authorizer::create(bad), ErrorCode::InvalidInput);

  // from_config takes the configuration's roots and windows.
  const Config cfg = Config::create({.trusted_roots = {issuer.public_key()}, .pop_windows = 10}).value();
  const auto from_cfg = Authorizer::from_config(cfg);
  REQUIRE(from_cfg != nullptr);
  CHECK(from_cfg->roots().keys == cfg.trusted_roots().keys);
  CHECK(from_cfg->check(chain, proof(-4), at).allowed);
  const Config plain = Config::create({.trusted_roots = {issuer.public_key()}}).value();
  CHECK(Authorizer::from_config(plain)->check(chain, proof(-4), at).code == ErrorCode::SignatureInvalid);
}

TEST_CASE("Authorizer: the verified-link cache never changes a decision") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  const Warrant root = infra_warrant(issuer, agent.public_key());
  auto child = grant_builder(root)
                   .capability("manage_infrastructure", {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                   .holder(worker.public_key())
                   .ttl(600s)
                   .at(kNow + 100)
                   .grant(agent);
  REQUIRE(child.has_value());
  const std::vector<Warrant> chain{root, *child};
  const Bytes stack = encode_stack(chain);
  AuthorizerOptions opts;
  opts.roots.keys = {issuer.public_key()};
  auto cached = Authorizer::create(opts).value();
  opts.link_cache_entries = 0;
  auto plain = Authorizer::create(opts).value();
  const auto same = [](const Decision& a, const Decision& b) {
    return a.allowed == b.allowed && a.code == b.code && a.message == b.message && a.chain_index == b.chain_index &&
           a.matched_tool == b.matched_tool && a.warrant_id == b.warrant_id;
  };
  const Object ok = make_args({{"cluster", "staging-web"}, {"replicas", 2}});
  const Object wide = make_args({{"cluster", "staging-web"}, {"replicas", 9}});
  std::size_t allowed = 0;
  // Times before the child's issue (beyond the clock tolerance), inside, and after expiry; the
  // cache is filled by the first call and then serves every later one.
  for (std::int64_t at : {kNow + 101, kNow + 50, kNow + 60, kNow + 69, kNow + 71, kNow + 300, kNow + 699, kNow + 701, kNow + 5000}) {
    for (const Object* a : {&ok, &wide}) {
      const ToolCall call{"manage_infrastructure", *a, sign(*child, worker, "manage_infrastructure", *a, at)};
      const Decision c = cached->check(stack, call, at);
      const Decision p = plain->check(stack, call, at);
      CAPTURE(at);
      CHECK(same(c, p));
      allowed += c.allowed ? 1 : 0;
    }
  }
  CHECK(allowed == 4);  // ok at +101, +71 (inside the clock tolerance), +300, +699
  const LinkCacheStats st = cached->link_cache_stats();
  CHECK(st.entries == 1);
  CHECK(st.bytes == stack.size());
  CHECK(st.misses == 1 + 6);  // the first call, and the six calls that see the child in the future
  CHECK(st.hits == 18 - 7);
  CHECK(plain->link_cache_stats().entries == 0);

  // Revocation applies to a cached chain at once.
  const ToolCall call{"manage_infrastructure", ok, sign(*child, worker, "manage_infrastructure", ok, kNow + 300)};
  cached->revoke(root.id_text());
  CHECK(cached->check(stack, call, kNow + 300).code == ErrorCode::WarrantRevoked);
  cached->set_revoked({});
  CHECK(cached->check(stack, call, kNow + 300).allowed);
  // A flipped byte is never served from the cache: it is decoded and refused on its own.
  for (std::size_t i = 0; i < stack.size(); i += 7) {
    Bytes bad = stack;
    bad[i] ^= 0x01;
    const Decision c = cached->check(bad, call, kNow + 300);
    CHECK_FALSE(c.allowed);
    CHECK(same(c, plain->check(bad, call, kNow + 300)));
  }
  CHECK(cached->link_cache_stats().entries == 1);  // failures are never stored
  // Headers share the cache.
  const Headers h{{"X-Tenuo-Warrant", to_text(chain, TextFormat::Base64)},
                  {"X-Tenuo-PoP", headers(*child, worker, "manage_infrastructure", ok, kNow + 300).at("X-Tenuo-PoP")}};
  const auto hits = cached->link_cache_stats().hits;
  CHECK(cached->check_headers(h, "manage_infrastructure", ok, kNow + 300).allowed);
  CHECK(cached->link_cache_stats().hits == hits + 1);

  // Bounded: a capacity of 2 keeps the two most recent chains.
  AuthorizerOptions small;
  small.roots.keys = {issuer.public_key()};
  small.link_cache_entries = 2;
  auto bounded = Authorizer::create(small).value();
  for (int i = 0; i < 5; ++i) {
    const Warrant w = infra_warrant(issuer, agent.public_key());
    (void)bounded->check(encode_stack(std::vector<Warrant>{w}), ToolCall{"manage_infrastructure", ok, std::nullopt}, kNow + 1);
  }
  CHECK(bounded->link_cache_stats().entries == 2);
  CHECK(bounded->link_cache_stats().misses == 5);
}

TEST_CASE("guard: audit logs and allows, enforce refuses; records use the audit-log format") {
  const SigningKey issuer = fresh();
  std::vector<AuditRecord> records;
  const auto make = [&](EnforcementMode mode) {
    return Config::create({.issuer_key = issuer.clone(SecretAccess{}),
                           .mode = mode,
                           .trusted_roots = {issuer.public_key()},
                           .audit_sink = [&records](const AuditRecord& r) { records.push_back(r); }})
        .value();
  };
  int calls = 0;
  const auto fn = [&calls](const Object& a) {
    ++calls;
    return Value::object(a).find("path")->as_string();
  };
  const Object tmp = make_args({{"path", "/tmp/test.txt"}});
  const Object etc = make_args({{"path", "/etc/passwd"}});
  const std::vector<Capability> caps{Capability("delete_file", {{"path", Subpath("/tmp")}})};

  SUBCASE("audit") {
    const Config cfg = make(EnforcementMode::Audit);
    auto del = guard(cfg, "delete_file", fn);
    WarrantScope scope(cfg, caps);
    REQUIRE(scope.ok());
    auto a = del(tmp);
    REQUIRE(a.has_value());
    CHECK(*a == "/tmp/test.txt");
    auto b = del(etc);
    REQUIRE(b.has_value());  // violation let through
    CHECK(calls == 2);
    REQUIRE(records.size() == 2);
    CHECK(records[0].decision == AuditDecision::Allow);
    CHECK(records[1].decision == AuditDecision::Deny);
    CHECK_FALSE(records[1].enforced);
    REQUIRE(records[1].error.has_value());
    CHECK(records[1].error->code == ErrorCode::ConstraintViolation);
    CHECK(records[1].mode == EnforcementMode::Audit);
    CHECK(records[1].warrant_id == scope.warrant()->id_text());
    // Same format as `tenuo verify --audit-log`: the line parses back to the record.
    auto parsed = parse_audit_line(to_json_line(records[1]));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == records[1]);
  }
  SUBCASE("enforce") {
    const Config cfg = make(EnforcementMode::Enforce);
    auto del = guard(cfg, "delete_file", fn);
    WarrantScope scope(cfg, caps);
    CHECK(del(tmp).has_value());
    auto b = del(etc);
    REQUIRE_FALSE(b.has_value());
    CHECK(b.error().code == ErrorCode::ConstraintViolation);
    CHECK(calls == 1);
    REQUIRE(records.size() == 2);
    CHECK(records[1].enforced);
  }
  SUBCASE("permissive: denial let through, recorded as not enforced") {
    const Config cfg = make(EnforcementMode::Permissive);
    CHECK_FALSE(cfg.is_audit_mode());
    CHECK_FALSE(cfg.should_block_violation());
    WarrantScope scope(cfg, caps);
    CHECK(guard(cfg, "delete_file", fn)(etc).has_value());
    CHECK(calls == 1);
    REQUIRE(records.size() == 1);
    CHECK(records[0].decision == AuditDecision::Deny);
    CHECK_FALSE(records[0].enforced);
    CHECK(records[0].mode == EnforcementMode::Permissive);
  }
  SUBCASE("no scope is a denial; void functions; process configuration") {
    reset_configuration();
    auto del = guard("delete_file", [&calls](const Object&) { ++calls; });
    expect_code(del(tmp), ErrorCode::InvalidInput);  // nothing configured
    REQUIRE(configure({.issuer_key = issuer.clone(SecretAccess{}), .trusted_roots = {issuer.public_key()}}).has_value());
    expect_code(del(tmp), ErrorCode::ToolNotAuthorized);  // no scope
    {
      WarrantScope scope(caps);
      REQUIRE(scope.ok());
      CHECK(del(tmp).has_value());
    }
    CHECK(calls == 1);
    reset_configuration();
  }
  SUBCASE("audit log file readable by parse_audit_line") {
    const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                             "/tenuo_api_test_" + std::to_string(::getpid()) + ".jsonl";
    ::unlink(path.c_str());
    const Config cfg = Config::create({.issuer_key = issuer.clone(SecretAccess{}),
                                       .mode = EnforcementMode::Audit,
                                       .trusted_roots = {issuer.public_key()},
                                       .audit_log = path})
                           .value();
    WarrantScope scope(cfg, caps);
    (void)guard(cfg, "delete_file", fn)(etc);
    std::vector<AuditRecord> lines;
    REQUIRE(for_each_line(path, [&](std::size_t, std::string_view l) {
              auto r = parse_audit_line(l);
              REQUIRE(r.has_value());
              lines.push_back(*r);
              return true;
            }).has_value());
    ::unlink(path.c_str());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].error->code == ErrorCode::ConstraintViolation);
    CHECK(lines[0].chain.has_value());
    CHECK(lines[0].pop.has_value());
  }
}

TEST_CASE("WarrantScope: nests by attenuation, restores on exit, is thread-local") {
  const SigningKey issuer = fresh();
  const Config cfg = Config::create({.issuer_key = issuer.clone(SecretAccess{}),
                                     .trusted_roots = {issuer.public_key()}})
                         .value();
  CHECK(current_scope() == nullptr);
  {
    WarrantScope outer(cfg, {Capability("delete_file", {{"path", Subpath("/tmp")}})});
    REQUIRE(outer.ok());
    CHECK(current_warrant() == outer.warrant());
    CHECK(outer.chain().size() == 1);
    {
      WarrantScope inner(cfg, {Capability("delete_file", {{"path", Subpath("/tmp/a")}})}, 60s);
      REQUIRE_MESSAGE(inner.ok(), inner.error()->message);
      CHECK(current_warrant() == inner.warrant());
      REQUIRE(inner.chain().size() == 2);
      CHECK(inner.warrant()->payload().parent_hash == outer.warrant()->payload_hash());
      auto del = guard(cfg, "delete_file", [](const Object&) {});
      CHECK(del(make_args({{"path", "/tmp/a/x"}})).has_value());
      CHECK(del(make_args({{"path", "/tmp/b"}})).error().code == ErrorCode::ConstraintViolation);

      // Other threads do not see this thread's scopes.
      const WarrantScope* seen = &inner;
      std::thread([&seen] { seen = current_scope(); }).join();
      CHECK(seen == nullptr);
    }
    CHECK(current_warrant() == outer.warrant());
    {
      // A nested scope cannot widen: it fails and makes no warrant current.
      WarrantScope wider(cfg, {Capability("delete_file", {{"path", Subpath("/")}})});
      CHECK_FALSE(wider.ok());
      CHECK(current_warrant() == nullptr);
      auto del = guard(cfg, "delete_file", [](const Object&) {});
      CHECK(del(make_args({{"path", "/tmp/x"}})).error().code == ErrorCode::ToolNotAuthorized);
    }
    CHECK(current_warrant() == outer.warrant());
  }
  CHECK(current_scope() == nullptr);
  // An existing chain becomes current with its leaf holder's key; guarded calls use it.
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  // Guarded calls decide at the system clock, so this chain is minted at it too.
  auto minted = Warrant::mint_builder()
                    .capability("manage_infrastructure",
                                {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
                    .holder(agent.public_key())
                    .ttl(3600s)
                    .mint(issuer);
  REQUIRE(minted.has_value());
  const Warrant root = *minted;
  auto leaf = root.grant_builder()
                  .capability("manage_infrastructure", {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                  .holder(worker.public_key())
                  .ttl(600s)
                  .grant(agent);
  REQUIRE_MESSAGE(leaf.has_value(), leaf.error().message);
  {
    WarrantScope given({root, *leaf}, worker);
    REQUIRE(given.ok());
    CHECK(current_scope() == &given);
    CHECK(current_warrant() == given.warrant());
    CHECK(given.warrant()->payload_hash() == leaf->payload_hash());
    REQUIRE(given.holder_key() != nullptr);
    CHECK(given.holder_key()->public_key() == worker.public_key());
    auto scale = guard(cfg, "manage_infrastructure", [](const Object&) { return 1; });
    CHECK(scale.tool() == "manage_infrastructure");
    CHECK(scale(make_args({{"cluster", "staging-web"}, {"replicas", 2}})).value() == 1);
    CHECK(scale(make_args({{"cluster", "staging-web"}, {"replicas", 9}})).error().code == ErrorCode::ConstraintViolation);
    // check_guarded_call at an explicit instant: after the leaf expired the chain is refused.
    const GuardOutcome late = check_guarded_call(cfg, "manage_infrastructure",
                                                 make_args({{"cluster", "staging-web"}, {"replicas", 2}}),
                                                 static_cast<std::int64_t>(leaf->payload().expires_at) + 120);
    CHECK_FALSE(late.decision.allowed);
    CHECK(late.decision.code == ErrorCode::WarrantExpired);
    CHECK_FALSE(late.proceed);  // enforce mode
  }
  CHECK(current_scope() == nullptr);
  {
    WarrantScope wrong_key({root, *leaf}, agent);
    CHECK_FALSE(wrong_key.ok());
    CHECK(wrong_key.error()->code == ErrorCode::InvalidIssuer);
    CHECK(current_warrant() == nullptr);
  }
  {
    WarrantScope empty(std::vector<Warrant>{}, worker);
    CHECK_FALSE(empty.ok());
    CHECK(empty.error()->code == ErrorCode::ChainBroken);
  }
  // Without an issuer key nothing can be minted.
  const Config verifier = Config::create({.trusted_roots = {issuer.public_key()}}).value();
  WarrantScope none(verifier, {Capability("x")});
  CHECK_FALSE(none.ok());
  CHECK(none.error()->code == ErrorCode::InvalidInput);
}

}  // TEST_SUITE
