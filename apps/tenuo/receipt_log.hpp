#pragma once
// Appending signed receipts (WIRE.md §21) to a JSONL log, chained per signer.

#include <tenuo/receipt.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>

#include <string>

namespace tenuo::cli {

// Under an exclusive lock on the file at `path` (flock, so concurrent verifiers chain one after
// another): finds the last receipt signed by `signer` (scanning from the end; receipts of other
// signers are skipped), sets `payload.prev_receipt_hash` to its SHA-256 (unset when there is
// none), signs the receipt, appends its line with one write and fsyncs. A line that is not an
// authentic receipt before that point is an error: a chain is never silently restarted.
// Returns the receipt bytes. Errors: Io, InvalidInput (corrupt log).
[[nodiscard]] Result<Bytes> append_chained_receipt(const std::string& path, const SigningKey& signer,
                                                   ReceiptPayload payload);

}  // namespace tenuo::cli
