// tenuo env [--json]: the effective configuration, where each value comes from, and what is wrong
// with it. Secrets are never printed: a key shows its type, its form and its public fingerprint.
#include "cli.hpp"
#include "output.hpp"

#include <tenuo/limits.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/signing_key.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace tenuo::cli {
namespace {

struct EnvCmd {
  bool json = false;
};

enum class Severity : std::uint8_t { Warning, Error };

struct Problem {
  Severity severity;
  std::string message;
};

struct Entry {
  std::string name;
  std::string value;   // displayed value (masked for secrets)
  std::string source;  // "env" or "default"
  bool secret = false;
  std::vector<Problem> problems;
};

std::optional<std::string> getenv_str(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return std::string(s);
}

bool all_of_set(std::string_view s, std::string_view set) {
  return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

// The textual form of a key, without looking at what it decodes to.
std::string key_form(std::string_view text) {
  const std::string t = trim(text);
  if (t.find("-----BEGIN PRIVATE KEY-----") != std::string::npos) return "PKCS#8 PEM";
  if (t.find("-----BEGIN PUBLIC KEY-----") != std::string::npos) return "SPKI PEM";
  if (t.find("-----BEGIN") != std::string::npos) return "PEM";
  if (t.size() == 64 && all_of_set(t, "0123456789abcdefABCDEF")) return "hex";
  if (all_of_set(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=") &&
      t.find_first_of("-_") != std::string::npos)
    return "base64url";
  if (all_of_set(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="))
    return "base64";
  return "unrecognised";
}

// A signing-key variable: masked value, and what is wrong with it. Returns the public key.
std::optional<PublicKey> describe_signing_key(Entry& e, const std::string& raw) {
  e.secret = true;
  const std::string form = key_form(raw);
  if (form == "SPKI PEM") {
    e.value = "(public key, not a signing key)";
    e.problems.push_back({Severity::Error, fmt::format("{} holds a public key (SPKI PEM); it needs a "
                                                       "private key: tenuo keygen --format base64",
                                                       e.name)});
    return std::nullopt;
  }
  auto k = SigningKey::parse(raw);
  if (!k) {
    e.value = fmt::format("(unreadable, {} characters, looks like {})", raw.size(), form);
    std::string why = k.error().message;
    // Never echo the secret: the parser's message may quote the input, so keep only its first
    // clause when it contains any part of the value.
    if (!raw.empty() && why.find(trim(raw).substr(0, 8)) != std::string::npos) why = "not a key";
    e.problems.push_back(
        {Severity::Error, fmt::format("{} does not parse as an Ed25519 private key ({}); use base64 "
                                      "or hex of the 32-byte seed, or PKCS#8 PEM",
                                      e.name, why)});
    return std::nullopt;
  }
  e.value = fmt::format("ed25519 signing key ({}), public key fingerprint {}", form,
                        k->public_key().fingerprint());
  if (form == "hex")
    e.problems.push_back({Severity::Warning,
                          fmt::format("{} is hex; the SDKs write base64 seeds "
                                      "(tenuo keygen --format base64) — tenuo accepts both",
                                      e.name)});
  if (form == "base64url")
    e.problems.push_back({Severity::Warning,
                          fmt::format("{} uses the URL-safe base64 alphabet; the SDKs expect standard "
                                      "base64 (tenuo accepts both)",
                                      e.name)});
  return k->public_key();
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = s.find(',');
    std::string item = trim(s.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<Entry> collect() {
  std::vector<Entry> out;
  std::optional<PublicKey> issuer_pub;
  std::optional<PublicKey> signing_pub;

  {
    Entry e{"TENUO_ISSUER_KEY", "(unset: mint needs --key)", "default", true, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      issuer_pub = describe_signing_key(e, *v);
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_SIGNING_KEY", "(unset: grant and sign need --key)", "default", true, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      signing_pub = describe_signing_key(e, *v);
    }
    if (issuer_pub && signing_pub && *issuer_pub == *signing_pub)
      e.problems.push_back({Severity::Warning,
                            "TENUO_SIGNING_KEY is the same key as TENUO_ISSUER_KEY: the issuer "
                            "would hold its own warrants"});
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_TRUSTED_ROOTS", "(unset: verify needs --trusted-root; no issuer is trusted)",
            "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      std::vector<std::string> shown;
      std::vector<PublicKey> roots;
      const auto items = split_commas(*v);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        if (item == "-") {
          e.problems.push_back({Severity::Error, fmt::format("TENUO_TRUSTED_ROOTS item {}: '-' (stdin) "
                                                             "is not allowed here", i + 1)});
          continue;
        }
        if (auto sk = SigningKey::parse(item); sk && key_form(item) != "SPKI PEM" &&
                                               item.find("PRIVATE KEY") != std::string::npos) {
          e.problems.push_back({Severity::Error,
                                fmt::format("TENUO_TRUSTED_ROOTS item {} is a private key; list public "
                                            "keys only (tenuo pubkey KEY)", i + 1)});
          continue;
        }
        auto k = load_public_key(item);
        if (!k) {
          e.problems.push_back({Severity::Error, fmt::format("TENUO_TRUSTED_ROOTS item {} ({}): {}", i + 1,
                                                             key_form(item), k.error().message)});
          continue;
        }
        shown.push_back(fmt::format("ed25519 {}", k->fingerprint()));
        roots.push_back(*k);
      }
      e.value = shown.empty() ? "(no usable key)" : fmt::format("{}", fmt::join(shown, ", "));
      if (issuer_pub && !roots.empty() &&
          std::find(roots.begin(), roots.end(), *issuer_pub) == roots.end())
        e.problems.push_back({Severity::Warning,
                              "TENUO_ISSUER_KEY's public key is not among TENUO_TRUSTED_ROOTS: "
                              "warrants minted here will not verify here"});
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_MODE", "enforce", "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      e.value = *v;
      if (*v != "enforce" && *v != "audit" && *v != "permissive")
        e.problems.push_back({Severity::Error, fmt::format("TENUO_MODE='{}' is not a mode: use enforce, "
                                                           "audit or permissive", *v)});
      else if (*v != "enforce")
        e.problems.push_back({Severity::Warning, fmt::format("TENUO_MODE={}: verify reports denials but "
                                                             "exits 0 (nothing is blocked)", *v)});
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_POP_MAX_WINDOWS", std::to_string(kPopDefaultMaxWindows), "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      e.value = *v;
      const bool digits = all_of_set(*v, "0123456789") && v->size() <= 3;
      const int n = digits ? std::atoi(v->c_str()) : -1;
      if (n < kPopMinWindows || n > kPopMaxWindows)
        e.problems.push_back({Severity::Error,
                              fmt::format("TENUO_POP_MAX_WINDOWS='{}' is outside {}..{}: use a whole "
                                          "number from {} to {} (default {})",
                                          *v, kPopMinWindows, kPopMaxWindows, kPopMinWindows,
                                          kPopMaxWindows, kPopDefaultMaxWindows)});
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_AUDIT_LOG", "(unset: no audit log)", "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      e.value = *v;
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_NOW", "(unset: the system clock)", "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      auto t = parse_time(*v);
      if (!t) {
        e.value = *v;
        e.problems.push_back({Severity::Error, fmt::format("TENUO_NOW='{}' is not a time: use RFC 3339 "
                                                           "(2025-01-01T00:00:00Z) or unix seconds", *v)});
      } else {
        e.value = fmt::format("{} ({})", *v, rfc3339_utc(*t));
        e.problems.push_back({Severity::Warning, "TENUO_NOW fixes the clock for every command (tests "
                                                 "and CI only)"});
      }
    }
    out.push_back(std::move(e));
  }
  {
    Entry e{"TENUO_DEV_MODE", "(unset)", "default", false, {}};
    if (auto v = getenv_str(e.name.c_str()); v && !v->empty()) {
      e.source = "env";
      e.value = *v;
      e.problems.push_back({Severity::Warning, "TENUO_DEV_MODE is set: it is reported only and never "
                                               "relaxes verification"});
    }
    out.push_back(std::move(e));
  }
  // Named keys: TENUO_KEY_<ID>, in name order.
  std::vector<std::string> named;
  for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
    const std::string_view kv(*p);
    if (!kv.starts_with("TENUO_KEY_")) continue;
    named.emplace_back(kv.substr(0, kv.find('=')));
  }
  std::sort(named.begin(), named.end());
  for (const auto& n : named) {
    Entry e{n, "", "env", true, {}};
    const auto v = getenv_str(n.c_str()).value_or("");
    if (n.size() == std::string_view("TENUO_KEY_").size())
      e.problems.push_back({Severity::Error, "TENUO_KEY_ has an empty ID"});
    if (v.empty()) {
      e.value = "(empty)";
      e.problems.push_back({Severity::Error, fmt::format("{} is empty", n)});
    } else if (key_form(v) == "SPKI PEM") {
      e.secret = false;
      auto k = PublicKey::parse(v);
      e.value = k ? fmt::format("ed25519 public key, fingerprint {}", k->fingerprint()) : "(unreadable)";
      if (!k) e.problems.push_back({Severity::Error, fmt::format("{}: {}", n, k.error().message)});
    } else {
      describe_signing_key(e, v);
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<int> run_env(const EnvCmd& o) {
  const auto entries = collect();
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& e : entries)
    for (const auto& p : e.problems) (p.severity == Severity::Error ? errors : warnings) += 1;
  if (o.json) {
    nlohmann::json vars = nlohmann::json::array();
    for (const auto& e : entries) {
      nlohmann::json probs = nlohmann::json::array();
      for (const auto& p : e.problems)
        probs.push_back({{"severity", p.severity == Severity::Error ? "error" : "warning"},
                         {"message", p.message}});
      vars.push_back({{"name", e.name},
                      {"value", e.value},
                      {"source", e.source},
                      {"secret", e.secret},
                      {"problems", probs}});
    }
    nlohmann::json doc{{"ok", errors == 0}, {"errors", errors}, {"warnings", warnings}, {"variables", vars}};
    TENUO_TRY(write_output("-", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  } else {
    std::size_t w = 0;
    std::size_t ws = 0;
    for (const auto& e : entries) {
      w = std::max(w, display_width(e.name));
      ws = std::max(ws, display_width(e.source));
    }
    std::string out;
    for (const auto& e : entries)
      out += fmt::format("{}  {}  {}\n", pad_right(e.name, w), pad_right(e.source, std::max<std::size_t>(ws, 7)),
                         e.value);
    TENUO_TRY(write_output("-", out));
    // Errors always; warnings are informational (--quiet drops them).
    for (const auto& e : entries)
      for (const auto& p : e.problems) {
        if (p.severity == Severity::Error)
          std::fputs(fmt::format("{} {}\n", paint(Stream::Err, Style::StrongBad, "tenuo: error:"), p.message).c_str(),
                     stderr);
        else
          info(fmt::format("{} {}\n", paint(Stream::Err, Style::StrongWarn, "tenuo: warning:"), p.message));
      }
    if (errors != 0)
      std::fputs(fmt::format("tenuo: {} configuration error{}\n", errors, errors == 1 ? "" : "s").c_str(),
                 stderr);
  }
  return errors == 0 ? kExitOk : kExitDenied;
}

}  // namespace

void add_env(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<EnvCmd>();
  auto* sub = app.add_subcommand("env", "Print the effective configuration and what is wrong with it");
  sub->footer(
      "Lists every TENUO_* variable tenuo reads (TENUO_ISSUER_KEY, TENUO_SIGNING_KEY,\n"
      "TENUO_TRUSTED_ROOTS, TENUO_MODE, TENUO_POP_MAX_WINDOWS, TENUO_AUDIT_LOG, TENUO_NOW,\n"
      "TENUO_DEV_MODE, TENUO_KEY_<ID>) with its effective value and source (env or default).\n"
      "Secrets are masked: a private key shows only its form and public-key fingerprint.\n"
      "Problems go to stderr (to the JSON document with --json).\n"
      "Exit 0 when the configuration has no errors (warnings allowed), 1 otherwise.");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([o, &pending] {
    pending.json = o->json;
    pending.run = [o] { return run_env(*o); };
  });
}

}  // namespace tenuo::cli
