// Authorizer decisions, PoP windows and the verified-link cache (authorizer.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::authorizer") {

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

}  // TEST_SUITE
