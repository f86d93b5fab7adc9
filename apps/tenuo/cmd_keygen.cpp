// tenuo keygen [NAME] [--out-dir DIR] [--force] [--format pem|base64|hex|json]
#include "cli.hpp"
#include "output.hpp"

#include <tenuo/signing_key.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tenuo::cli {
namespace {

struct KeygenCmd {
  std::string name;
  std::string out_dir = ".";
  bool force = false;
  std::string format = "pem";
};

enum class Overwrite : std::uint8_t { No, Yes };

Result<void> write_all_fd(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return fail(ErrorCode::Io, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0)
    return fail(ErrorCode::Io, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  return {};
}

// Creates `path` with exactly `mode` and writes `data`. Without Overwrite::Yes an existing file
// (or symlink) is never touched (O_EXCL); with it, a temporary file in the same directory is
// renamed over the old one, so the result has `mode` whatever the old file had.
Result<void> create_file(const std::string& path, std::string_view data, mode_t mode,
                         Overwrite overwrite) {
  const std::string target = overwrite == Overwrite::Yes ? path + ".tmp-tenuo-keygen" : path;
  if (overwrite == Overwrite::Yes) ::unlink(target.c_str());
  const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST)
      return fail(ErrorCode::Io,
                  fmt::format("'{}' already exists; refusing to overwrite it (use --force)", path));
    return fail(ErrorCode::Io, fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
  }
  auto r = [&]() -> Result<void> {
    if (::fchmod(fd, mode) != 0)  // the umask must not loosen or tighten the documented mode
      return fail(ErrorCode::Io, fmt::format("cannot set the mode of '{}': {}", path,
                                             std::strerror(errno)));
    return write_all_fd(fd, data, path);
  }();
  if (::close(fd) != 0 && r)
    r = fail(ErrorCode::Io, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  if (r && overwrite == Overwrite::Yes && ::rename(target.c_str(), path.c_str()) != 0)
    r = fail(ErrorCode::Io, fmt::format("cannot replace '{}': {}", path, std::strerror(errno)));
  if (!r) ::unlink(target.c_str());
  return r;
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string public_in_format(const PublicKey& pub, const std::string& format) {
  if (format == "hex") return pub.hex() + "\n";
  if (format == "base64") return pub.base64() + "\n";
  return pub.to_pem();
}

nlohmann::json public_json(const PublicKey& pub) {
  return {{"public_key_hex", pub.hex()},
          {"public_key_base64", pub.base64()},
          {"public_key_pem", pub.to_pem()},
          {"fingerprint", pub.fingerprint()}};
}

Result<int> run_keygen(const KeygenCmd& o) {
  TENUO_TRY_ASSIGN(const SigningKey key, SigningKey::generate());
  const PublicKey& pub = key.public_key();

  if (o.name.empty()) {
    // The CI case: the private key itself goes to stdout, in the format asked for.
    std::string out;
    if (o.format == "base64") {
      out = key.seed_base64(SecretAccess{}) + "\n";
    } else if (o.format == "hex") {
      out = key.seed_hex(SecretAccess{}) + "\n";
    } else if (o.format == "json") {
      auto doc = public_json(pub);
      doc["private_key"] = key.to_pem(SecretAccess{});
      doc["private_key_base64"] = key.seed_base64(SecretAccess{});
      out = doc.dump() + "\n";
    } else {
      out = key.to_pem(SecretAccess{});
    }
    if (::isatty(STDOUT_FILENO) != 0)
      info("tenuo: note: printing a private key; give a NAME to write NAME.key/NAME.pub instead\n");
    TENUO_TRY(write_output("-", out));
    return kExitOk;
  }

  const std::filesystem::path dir(o.out_dir.empty() ? "." : o.out_dir);
  const bool here = o.out_dir.empty() || o.out_dir == ".";
  const std::string key_path = here ? o.name + ".key" : (dir / (o.name + ".key")).string();
  const std::string pub_path = here ? o.name + ".pub" : (dir / (o.name + ".pub")).string();
  const Overwrite overwrite = o.force ? Overwrite::Yes : Overwrite::No;
  if (overwrite == Overwrite::No) {
    // Check both first, so that an existing NAME.pub does not leave a fresh NAME.key behind.
    for (const auto* p : {&key_path, &pub_path})
      if (exists(*p))
        return fail(ErrorCode::Io,
                    fmt::format("'{}' already exists; refusing to overwrite it (use --force)", *p));
  }
  TENUO_TRY(create_file(key_path, key.to_pem(SecretAccess{}), 0600, overwrite));
  if (auto r = create_file(pub_path, pub.to_pem(), 0644, overwrite); !r) {
    if (overwrite == Overwrite::No) ::unlink(key_path.c_str());  // we created it just now
    return Unexpected{std::move(r).error()};
  }
  info(fmt::format("tenuo: wrote {} (private, mode 0600) and {}\n", key_path, pub_path));
  if (o.format == "json") {
    auto doc = public_json(pub);
    doc["private_key_file"] = key_path;
    doc["public_key_file"] = pub_path;
    TENUO_TRY(write_output("-", doc.dump() + "\n"));
  } else {
    TENUO_TRY(write_output("-", public_in_format(pub, o.format)));
  }
  return kExitOk;
}

}  // namespace

void add_keygen(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<KeygenCmd>();
  auto* sub = app.add_subcommand("keygen", "Generate an Ed25519 key pair");
  sub->footer(
      "With NAME: writes NAME.key (PKCS#8 PEM, mode 0600, readable by `openssl pkey`) and NAME.pub\n"
      "(SPKI PEM) in --out-dir, refuses to overwrite either without --force, and prints the public\n"
      "key on stdout in --format (pem, hex, base64, or json with the file names).\n"
      "Without NAME: prints the private key on stdout in --format: pem (PKCS#8), base64 or hex of\n"
      "the 32-byte seed, or json {\"private_key\": PEM, \"private_key_base64\", \"public_key_hex\", ...}.\n"
      "  export TENUO_ISSUER_KEY=$(tenuo keygen --format base64)\n"
      "--format defaults to pem. Exit 3 if a file exists or cannot be written.");
  sub->add_option("NAME", o->name, "Write NAME.key and NAME.pub instead of printing the private key");
  sub->add_option("--out-dir", o->out_dir, "Directory for NAME.key / NAME.pub (default: .)");
  sub->add_flag("--force", o->force, "Overwrite existing NAME.key / NAME.pub");
  sub->add_option("--format", o->format, "Output format: pem (default), base64, hex or json")
      ->check(CLI::IsMember({"pem", "base64", "hex", "json"}));
  sub->callback([o, &pending] {
    pending.json = o->format == "json";
    pending.run = [o] { return run_keygen(*o); };
  });
}

}  // namespace tenuo::cli
