// tenuo doctor [--json]: a self-test of this installation, entirely in memory — crypto against
// the RFC 8032 vector, mint -> grant -> sign -> verify (allowed), denials that must be denied,
// and clock sanity. Exit 0 when every check passes, 1 otherwise.
#include "cli.hpp"
#include "output.hpp"

#include <tenuo/arguments.hpp>
#include <tenuo/authorize.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace tenuo::cli {
namespace {

struct DoctorCmd {
  bool json = false;
};

struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The compile date of this binary (__DATE__, "Mmm dd yyyy"), as unix seconds at 00:00 UTC.
std::int64_t build_date() {
  static constexpr const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char* d = __DATE__;
  std::tm tm{};
  const char* m = std::strstr(kMonths, std::string(d, 3).c_str());
  tm.tm_mon = m == nullptr ? 0 : static_cast<int>((m - kMonths) / 3);
  tm.tm_mday = std::atoi(d + 4);
  tm.tm_year = std::atoi(d + 7) - 1900;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string describe(const Error& e) {
  return fmt::format("{} {}: {}", static_cast<int>(e.code), name(e.code), e.message);
}

// RFC 8032 §7.1 test 1: libsodium must produce exactly this signature of the empty message.
Check check_crypto() {
  Check c{"libsodium ed25519 (RFC 8032 vector)", false, ""};
  auto seed = hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  if (!seed) {
    c.detail = describe(seed.error());
    return c;
  }
  auto key = SigningKey::from_seed(*seed);
  if (!key) {
    c.detail = describe(key.error());
    return c;
  }
  const auto sig = key->sign({});
  const std::string want_pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  const std::string want_sig =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  if (key->public_key().hex() != want_pub) {
    c.detail = "public key differs from RFC 8032";
  } else if (hex_encode(sig) != want_sig) {
    c.detail = "signature differs from RFC 8032";
  } else if (!key->public_key().verify({}, sig)) {
    c.detail = "the RFC 8032 signature does not verify";
  } else {
    c.ok = true;
    c.detail = "keys and signatures match RFC 8032";
  }
  return c;
}

Check check_clock() {
  Check c{"clock", false, ""};
  const std::int64_t now = system_now();
  const std::int64_t built = build_date();
  constexpr std::int64_t kTenYears = 10LL * 365 * 86400;
  if (now + 86400 < built) {
    c.detail = fmt::format("the system clock ({}) is before this binary was built ({}): fix the clock "
                           "(NTP) — warrants would not be valid yet",
                           rfc3339_utc(now), rfc3339_utc(built));
  } else if (now > built + kTenYears) {
    c.detail = fmt::format("the system clock ({}) is more than ten years after the build ({}): fix the "
                           "clock (NTP)",
                           rfc3339_utc(now), rfc3339_utc(built));
  } else {
    c.ok = true;
    c.detail = fmt::format("system clock {} (built {})", rfc3339_utc(now), rfc3339_utc(built));
    if (const char* env = std::getenv("TENUO_NOW"); env != nullptr && *env != '\0')
      c.detail += fmt::format("; TENUO_NOW={} is set and overrides it for other verbs", env);
  }
  return c;
}

// The pipeline every deployment runs: control plane -> orchestrator -> worker.
std::vector<Check> check_pipeline() {
  std::vector<Check> out;
  auto fail_check = [&out](std::string n, std::string d) { out.push_back({std::move(n), false, std::move(d)}); };
  auto cp = SigningKey::generate();
  auto orch = SigningKey::generate();
  auto worker = SigningKey::generate();
  auto stranger = SigningKey::generate();
  if (!cp || !orch || !worker || !stranger) {
    fail_check("key generation", cp ? "the system RNG is unavailable" : describe(cp.error()));
    return out;
  }
  out.push_back({"key generation", true, "4 fresh Ed25519 keys"});

  const std::int64_t now = system_now();
  auto path_root = parse_constraint_spec("subpath:/data");
  auto path_child = parse_constraint_spec("subpath:/data/reports");
  if (!path_root || !path_child) {
    fail_check("constraints", "subpath constraints do not parse");
    return out;
  }
  MintRequest mr;
  mr.holder = orch->public_key();
  mr.now = now;
  mr.ttl = 600;
  ConstraintSet read_set;
  read_set.set("path", *path_root);
  mr.tools = {{"delete_file", read_set}, {"read_file", read_set}};
  auto root = mint(mr, *cp);
  if (!root) {
    fail_check("mint", describe(root.error()));
    return out;
  }
  // Round trip through the wire form, as a real consumer would see it.
  auto decoded = decode_warrants(root->envelope_bytes(), now);
  if (!decoded || decoded->size() != 1 || !std::equal(decoded->front().envelope_bytes().begin(),
                                                      decoded->front().envelope_bytes().end(),
                                                      root->envelope_bytes().begin(),
                                                      root->envelope_bytes().end())) {
    fail_check("mint", decoded ? "the minted warrant does not decode to itself" : describe(decoded.error()));
    return out;
  }
  out.push_back({"mint", true, fmt::format("root {} for the orchestrator", root->id_text())});

  GrantRequest gr;
  gr.holder = worker->public_key();
  gr.now = now;
  gr.ttl = 300;
  ConstraintSet narrow;
  narrow.set("path", *path_child);
  gr.tools = {{"read_file", narrow}};
  auto child = grant(*root, gr, *orch);
  if (!child) {
    fail_check("grant", describe(child.error()));
    return out;
  }
  out.push_back({"grant", true, "narrowed to read_file under /data/reports for the worker"});

  GrantRequest wide = gr;
  wide.tools = {{"read_file", read_set}, {"write_file", read_set}};
  if (auto w = grant(*root, wide, *orch); w) {
    fail_check("grant refuses widening", "a grant adding a tool the parent lacks was signed");
  } else {
    out.push_back({"grant refuses widening", true, describe(w.error())});
  }

  const std::vector<Warrant> chain{*root, *child};
  TrustedRoots trusted{{cp->public_key()}};
  VerifyOptions vo;
  vo.now = now;
  auto verified = verify_chain(chain, trusted, vo);
  if (!verified) {
    fail_check("verify chain", describe(verified.error()));
    return out;
  }
  out.push_back({"verify chain", true, "2 links, trusted root, in time"});

  auto good_args = parse_arguments(R"({"path": "/data/reports/q3.pdf"})");
  auto bad_args = parse_arguments(R"({"path": "/data/../etc/passwd"})");
  if (!good_args || !bad_args) {
    fail_check("arguments", "call arguments do not parse");
    return out;
  }
  ToolCall good{"read_file", *good_args, pop_sign(*worker, child->id(), "read_file", *good_args, now)};
  if (auto a = authorize(*verified, good); !a) {
    fail_check("sign + authorize (allowed)", describe(a.error()));
  } else {
    out.push_back({"sign + authorize (allowed)", true, "read_file /data/reports/q3.pdf allowed"});
  }

  struct Denial {
    const char* name;
    ToolCall call;
    ErrorCode want;
  };
  std::vector<Denial> denials;
  denials.push_back({"denied: path outside the warrant",
                     {"read_file", *bad_args, pop_sign(*worker, child->id(), "read_file", *bad_args, now)},
                     ErrorCode::ConstraintViolation});
  denials.push_back({"denied: tool not granted",
                     {"delete_file", *good_args, pop_sign(*worker, child->id(), "delete_file", *good_args, now)},
                     ErrorCode::ToolNotAuthorized});
  denials.push_back({"denied: PoP by the wrong key",
                     {"read_file", *good_args, pop_sign(*stranger, child->id(), "read_file", *good_args, now)},
                     ErrorCode::SignatureInvalid});
  for (auto& d : denials) {
    auto a = authorize(*verified, d.call);
    if (a) {
      fail_check(d.name, "the call was ALLOWED");
    } else if (a.error().code != d.want) {
      fail_check(d.name, fmt::format("denied with {} instead of {}", describe(a.error()),
                                     static_cast<int>(d.want)));
    } else {
      out.push_back({d.name, true, describe(a.error())});
    }
  }

  TrustedRoots other{{stranger->public_key()}};
  if (auto v = verify_chain(chain, other, vo); v) {
    fail_check("denied: untrusted root", "a chain from an untrusted root verified");
  } else {
    out.push_back({"denied: untrusted root", true, describe(v.error())});
  }
  VerifyOptions later = vo;
  later.now = now + 3600;
  if (auto v = verify_chain(chain, trusted, later); v) {
    fail_check("denied: expired", "an expired chain verified");
  } else {
    out.push_back({"denied: expired", true, describe(v.error())});
  }
  return out;
}

Result<int> run_doctor(const DoctorCmd& o) {
  std::vector<Check> checks;
  checks.push_back(check_crypto());
  checks.push_back(check_clock());
  for (auto& c : check_pipeline()) checks.push_back(std::move(c));
  std::size_t failed = 0;
  for (const auto& c : checks) failed += c.ok ? 0 : 1;
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : checks) arr.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
    nlohmann::json doc{{"ok", failed == 0},
                       {"version", kVersion},
                       {"protocol", kProtocolLine},
                       {"failed", failed},
                       {"checks", arr}};
    TENUO_TRY(write_output("-", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  } else {
    std::size_t w = 0;
    for (const auto& c : checks) w = std::max(w, display_width(c.name));
    std::string out;
    // Pad before painting: escape sequences take no columns.
    for (const auto& c : checks)
      out += fmt::format("{}  {}  {}\n",
                         paint(Stream::Out, c.ok ? Style::Good : Style::StrongBad, pad_right(c.ok ? "ok" : "FAIL", 4)),
                         pad_right(c.name, w), c.detail);
    out += failed == 0 ? fmt::format("all {} checks passed\n", checks.size())
                       : fmt::format("{} of {} checks FAILED\n", failed, checks.size());
    TENUO_TRY(write_output("-", out));
    if (failed != 0)
      std::fputs(fmt::format("{} doctor: {} check{} failed (see above)\n",
                             paint(Stream::Err, Style::StrongBad, "tenuo: error:"), failed,
                             failed == 1 ? "" : "s")
                     .c_str(),
                 stderr);
  }
  return failed == 0 ? kExitOk : kExitDenied;
}

}  // namespace

void add_doctor(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<DoctorCmd>();
  auto* sub = app.add_subcommand("doctor", "Self-test this installation (crypto, mint/grant/sign/verify, clock)");
  sub->footer(
      "Runs in memory with fresh keys: the RFC 8032 Ed25519 vector through libsodium; mint ->\n"
      "grant -> sign -> verify of an allowed call; calls that must be denied (constraint, tool,\n"
      "wrong PoP key, untrusted root, expired); a widening grant that must be refused; and the\n"
      "system clock (after the build date, less than ten years later). Ignores TENUO_NOW and\n"
      "every other TENUO_* variable (see tenuo env). Exit 0 when every check passes, 1 otherwise.");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([o, &pending] {
    pending.json = o->json;
    pending.run = [o] { return run_doctor(*o); };
  });
}

}  // namespace tenuo::cli
