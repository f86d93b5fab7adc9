#include "cli.hpp"

#include <tenuo/encoding.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace tenuo::cli {
namespace {

// Flag values that name an existing file are read, for convenience (`--key root.key`).
Result<std::string> read_key_text(const std::string& spec) {
  std::error_code ec;
  if (!spec.empty() && spec != "-" && spec[0] != '@' && !spec.starts_with("env:") &&
      spec.find('\n') == std::string::npos && std::filesystem::is_regular_file(spec, ec))
    return read_input("@" + spec);
  return read_input(spec);
}

}  // namespace

Result<SigningKey> load_signing_key(const std::string& spec, const char* env_default,
                                    std::string_view flag) {
  std::string text;
  std::string source;
  if (!spec.empty()) {
    TENUO_TRY_ASSIGN(text, read_key_text(spec));
    source = fmt::format("{} {}", flag, spec.size() > 40 ? spec.substr(0, 12) + "…" : spec);
  } else if (const char* v = env_default ? std::getenv(env_default) : nullptr; v != nullptr && *v) {
    text = v;
    source = env_default;
  } else {
    return fail(ErrorCode::InvalidInput,
                env_default ? fmt::format("no key: pass {} or set {}", flag, env_default)
                            : fmt::format("no key: pass {}", flag));
  }
  auto k = SigningKey::parse(text);
  if (!k) return fail(ErrorCode::InvalidInput, fmt::format("{}: {}", source, k.error().message));
  return k;
}

Result<PublicKey> load_public_key(const std::string& spec, const PublicKey* self) {
  if (spec == "self") {
    if (self == nullptr) return fail(ErrorCode::InvalidInput, "'self' is not available here");
    return *self;
  }
  TENUO_TRY_ASSIGN(std::string text, read_key_text(spec));
  auto k = PublicKey::parse(text);
  if (k) return k;
  // A private key given where a public key is expected: use its public half.
  if (auto sk = SigningKey::parse(text); sk && text.find("PRIVATE KEY") != std::string::npos)
    return sk->public_key();
  return fail(ErrorCode::InvalidInput,
              fmt::format("'{}' is not a public key: {}", spec.size() > 40 ? spec.substr(0, 12) + "…" : spec,
                          k.error().message));
}

Result<std::vector<PublicKey>> load_trusted_roots(const std::vector<std::string>& specs) {
  std::vector<std::string> items = specs;
  if (items.empty()) {
    if (const char* env = std::getenv("TENUO_TRUSTED_ROOTS"); env != nullptr && *env) {
      std::string_view s(env);
      while (!s.empty()) {
        const auto comma = s.find(',');
        auto item = s.substr(0, comma);
        while (!item.empty() && (item.front() == ' ')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ')) item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
      }
    }
  }
  if (items.empty())
    return fail(ErrorCode::InvalidInput,
                "no trusted root: pass --trusted-root KEY or set TENUO_TRUSTED_ROOTS "
                "(there is no 'accept any issuer' mode)");
  std::vector<PublicKey> out;
  for (const auto& i : items) {
    TENUO_TRY_ASSIGN(PublicKey k, load_public_key(i));
    out.push_back(k);
  }
  return out;
}

Result<Bytes> load_warrant_cbor(const std::string& spec) {
  std::string text;
  if (spec.empty() || spec == "-") {
    TENUO_TRY_ASSIGN(text, read_stdin());
  } else {
    TENUO_TRY_ASSIGN(text, read_key_text(spec));
  }
  return warrant_cbor_from_any(as_bytes(text));
}

Result<std::vector<Warrant>> load_warrants(const std::string& spec) {
  TENUO_TRY_ASSIGN(Bytes cbor, load_warrant_cbor(spec));
  return decode_warrants(cbor);
}

}  // namespace tenuo::cli
