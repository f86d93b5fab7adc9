// tenuo pubkey [KEY] [--format pem|hex|base64]
#include "cli.hpp"

#include <tenuo/public_key.hpp>
#include <tenuo/signing_key.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace tenuo::cli {
namespace {

struct PubkeyCmd {
  std::string key = "-";
  std::string format = "pem";
};

// KEY as given: `-`, `@PATH`, `env:NAME`, a path to an existing file, or the literal text.
Result<std::string> read_key_arg(const std::string& spec) {
  if (spec == "-" || spec.starts_with("@") || spec.starts_with("env:")) return read_input(spec);
  std::error_code ec;
  if (spec.find('\n') == std::string::npos && std::filesystem::is_regular_file(spec, ec))
    return read_input("@" + spec);
  return spec;
}

Result<PublicKey> public_key_of(std::string_view text) {
  // An SPKI public key is re-encoded; anything else must be a private key (a bare 32 bytes in
  // hex or base64 is a seed, as CLI.md says).
  if (text.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos)
    return PublicKey::parse(text);
  auto key = SigningKey::parse(text);
  if (!key)
    return fail(ErrorCode::InvalidInput,
                fmt::format("{}; or an SPKI PEM public key to re-encode", key.error().message));
  return key->public_key();
}

Result<int> run_pubkey(const PubkeyCmd& o) {
  TENUO_TRY_ASSIGN(std::string text, read_key_arg(o.key));
  auto pub = public_key_of(text);
  // The text may hold a private key: overwrite it (volatile, so the stores are not elided).
  for (volatile char& c : text) c = '\0';
  if (!pub) return Unexpected{std::move(pub).error()};
  std::string out;
  if (o.format == "hex") {
    out = pub->hex() + "\n";
  } else if (o.format == "base64") {
    out = pub->base64() + "\n";
  } else {
    out = pub->to_pem();
  }
  TENUO_TRY(write_output("-", out));
  return kExitOk;
}

}  // namespace

void add_pubkey(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<PubkeyCmd>();
  auto* sub = app.add_subcommand("pubkey", "Print the public key of a private key");
  sub->footer(
      "KEY: the literal key, @FILE, a path to an existing file, env:NAME, or - for stdin (the\n"
      "default). Accepted: PKCS#8 PEM (as `tenuo keygen` or `openssl genpkey -algorithm ed25519`\n"
      "write it), 64 hex characters or base64 of a 32-byte seed, or an SPKI PEM public key, which\n"
      "is re-encoded. --format defaults to pem (SPKI, as `openssl pkey -pubout` writes it).\n"
      "Exit 3 if the key cannot be read.");
  sub->add_option("KEY", o->key, "Private key (or SPKI public key); default: stdin");
  sub->add_option("--format", o->format, "Output format: pem (default), hex or base64")
      ->check(CLI::IsMember({"pem", "hex", "base64"}));
  sub->callback([o, &pending] { pending.run = [o] { return run_pubkey(*o); }; });
}

}  // namespace tenuo::cli
