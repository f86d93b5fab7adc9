// guard() in audit and enforce modes (guard.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::guard") {

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

}  // TEST_SUITE
