# fish completion for tenuo(1). Install into ~/.config/fish/completions/ or
# /usr/share/fish/vendor_completions.d/.
# Flags that take a warrant, key, signature or JSON complete files, also after '@' (@FILE).

set -l __tenuo_verbs keygen pubkey mint grant sign verify why-denied audit-replay inspect env doctor

# Files, and the same files prefixed with '@'.
function __tenuo_files
    set -l tok (commandline -ct)
    if string match -q -- '@*' $tok
        set -l rest (string sub -s 2 -- $tok)
        for f in (__fish_complete_path $rest)
            echo "@$f"
        end
    else
        __fish_complete_path $tok
    end
end

complete -c tenuo -f
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -s h -l help -d 'Print help and exit'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -s V -l version -d 'Print the version and exit'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a keygen -d 'Generate an Ed25519 key pair'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a pubkey -d 'Print the public key of a private key'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a mint -d 'Create a root warrant'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a grant -d 'Delegate an attenuated child warrant'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a sign -d 'Sign a tool call (proof of possession)'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a verify -d 'Verify a warrant or a tool call'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a why-denied -d 'Explain why a call is denied'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a audit-replay -d 'Re-decide recorded calls'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a inspect -d 'Decode a warrant without trusting it'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a env -d 'Print the effective configuration'
complete -c tenuo -n "not __fish_seen_subcommand_from $__tenuo_verbs" -a doctor -d 'Self-test the installation'

# Every verb has --help.
for v in $__tenuo_verbs
    complete -c tenuo -n "__fish_seen_subcommand_from $v" -s h -l help -d 'Print help and exit'
end

# Output flags, before or after the verb.
complete -c tenuo -l color -x -a 'auto always never' -d 'Colour: auto, always, never'
complete -c tenuo -s q -l quiet -d 'No notes, warnings or progress on stderr'

# keygen
complete -c tenuo -n "__fish_seen_subcommand_from keygen" -l out-dir -x -a '(__fish_complete_directories)' -d 'Directory for NAME.key / NAME.pub'
complete -c tenuo -n "__fish_seen_subcommand_from keygen" -l force -d 'Overwrite existing key files'
complete -c tenuo -n "__fish_seen_subcommand_from keygen" -l format -x -a 'pem base64 hex json' -d 'Output format'

# pubkey
complete -c tenuo -n "__fish_seen_subcommand_from pubkey" -l format -x -a 'pem hex base64' -d 'Output format'
complete -c tenuo -n "__fish_seen_subcommand_from pubkey" -a '(__tenuo_files)' -d 'Private key'

# mint
set -l c "__fish_seen_subcommand_from mint"
complete -c tenuo -n $c -s k -l key -x -a '(__tenuo_files)' -d 'Issuer signing key'
complete -c tenuo -n $c -l holder -x -a 'self (__tenuo_files)' -d 'Holder public key or self'
complete -c tenuo -n $c -s t -l tool -x -d 'Tool to grant'
complete -c tenuo -n $c -s c -l constraint -x -d '[TOOL.]ARG=TYPE:VALUE constraint'
complete -c tenuo -n $c -l capabilities -x -a '(__tenuo_files)' -d 'JSON tool map'
complete -c tenuo -n $c -l ttl -x -d 'Lifetime: 30s, 5m, 1h, 2d'
complete -c tenuo -n $c -l expires-at -x -d 'Expiry: RFC 3339 or unix seconds'
complete -c tenuo -n $c -l max-depth -x -d 'Maximum delegation depth'
complete -c tenuo -n $c -l type -x -a 'execution issuer' -d 'Warrant type'
complete -c tenuo -n $c -l issuable-tools -x -d 'Tools an issuer warrant may issue'
complete -c tenuo -n $c -l max-issue-depth -x -d 'Maximum depth of issued warrants'
complete -c tenuo -n $c -l constraint-bounds -x -a '(__tenuo_files)' -d 'Constraint set JSON'
complete -c tenuo -n $c -l clearance -x -a 'untrusted external partner internal privileged system' -d 'Clearance'
complete -c tenuo -n $c -l required-approver -x -a '(__tenuo_files)' -d 'Approver public key'
complete -c tenuo -n $c -l min-approvals -x -d 'Approvals required'
complete -c tenuo -n $c -l id -x -d 'Warrant id'
complete -c tenuo -n $c -l session-id -x -d 'Session id extension'
complete -c tenuo -n $c -l agent-id -x -d 'Agent id extension'
complete -c tenuo -n $c -l extension -x -d 'KEY=CBORHEX extension'
complete -c tenuo -n $c -l at -x -d 'Issue time'
complete -c tenuo -n $c -l format -x -a 'b64 pem tenuo json' -d 'Output format'
complete -c tenuo -n $c -s o -l out -r -F -d 'Output file'

# grant
set -l c "__fish_seen_subcommand_from grant"
complete -c tenuo -n $c -s k -l key -x -a '(__tenuo_files)' -d 'Parent holder signing key'
complete -c tenuo -n $c -l holder -x -a 'self (__tenuo_files)' -d 'Child holder public key or self'
complete -c tenuo -n $c -s t -l tool -x -d 'Keep only this tool'
complete -c tenuo -n $c -s c -l constraint -x -d '[TOOL.]ARG=TYPE:VALUE narrowing'
complete -c tenuo -n $c -l capabilities -x -a '(__tenuo_files)' -d 'JSON tool map narrowing'
complete -c tenuo -n $c -l ttl -x -d 'Lifetime'
complete -c tenuo -n $c -l expires-at -x -d 'Expiry'
complete -c tenuo -n $c -l max-depth -x -d 'Maximum delegation depth'
complete -c tenuo -n $c -l clearance -x -a 'untrusted external partner internal privileged system' -d 'Lower the clearance'
complete -c tenuo -n $c -l id -x -d 'Child warrant id'
complete -c tenuo -n $c -l at -x -d 'Issue time'
complete -c tenuo -n $c -l emit -x -a 'chain leaf' -d 'What to print'
complete -c tenuo -n $c -l dry-run -d 'Check and show; sign nothing'
complete -c tenuo -n $c -l diff -d 'Show what narrowed'
complete -c tenuo -n $c -l format -x -a 'b64 pem tenuo json' -d 'Output format'
complete -c tenuo -n $c -s o -l out -r -F -d 'Output file'
complete -c tenuo -n $c -a '(__tenuo_files)' -d 'Parent warrant'

# sign
set -l c "__fish_seen_subcommand_from sign"
complete -c tenuo -n $c -s w -l warrant -x -a '(__tenuo_files)' -d 'Warrant or chain'
complete -c tenuo -n $c -s k -l key -x -a '(__tenuo_files)' -d 'Holder signing key'
complete -c tenuo -n $c -s t -l tool -x -d 'Tool name'
complete -c tenuo -n $c -s a -l args -x -a '(__tenuo_files)' -d 'Call arguments JSON'
complete -c tenuo -n $c -l at -x -d 'Signing instant'
complete -c tenuo -n $c -l emit -x -a 'signature headers meta json' -d 'Output'
complete -c tenuo -n $c -l encoding -x -a 'base64 base64url hex' -d 'Signature text'
complete -c tenuo -n $c -s r -l trusted-root -x -a '(__tenuo_files)' -d 'Trusted root for the precheck'
complete -c tenuo -n $c -l no-precheck -d 'Do not precheck the call'
complete -c tenuo -n $c -l json -d 'Same as --emit json'

# verify
set -l c "__fish_seen_subcommand_from verify"
complete -c tenuo -n $c -s w -l warrant -x -a '(__tenuo_files)' -d 'Warrant or chain'
complete -c tenuo -n $c -s r -l trusted-root -x -a '(__tenuo_files)' -d 'Trusted root public key'
complete -c tenuo -n $c -s t -l tool -x -d 'Authorize a call of this tool'
complete -c tenuo -n $c -s a -l args -x -a '(__tenuo_files)' -d 'Call arguments JSON'
complete -c tenuo -n $c -s s -l signature -x -a '(__tenuo_files)' -d 'PoP signature'
complete -c tenuo -n $c -l no-pop -d 'Skip the proof of possession'
complete -c tenuo -n $c -l at -x -d 'Evaluation instant'
complete -c tenuo -n $c -l pop-windows -x -a '2 3 4 5 6 7 8 9 10' -d 'PoP windows'
complete -c tenuo -n $c -l mode -x -a 'enforce audit permissive' -d 'Enforcement mode'
complete -c tenuo -n $c -l approval -x -a '(__tenuo_files)' -d 'Signed approval'
complete -c tenuo -n $c -l strict-session -d 'Require the root session id on every link'
complete -c tenuo -n $c -l revoked -x -d 'Revoked warrant id'
complete -c tenuo -n $c -l srl -x -a '(__tenuo_files)' -d 'Signed revocation list'
complete -c tenuo -n $c -l srl-key -x -a '(__tenuo_files)' -d 'SRL issuer key'
complete -c tenuo -n $c -l srl-min-version -x -d 'Minimum SRL version'
complete -c tenuo -n $c -l audit-log -r -F -d 'Audit log file'
complete -c tenuo -n $c -l receipt-key -x -a '(__tenuo_files)' -d 'Receipt signing key'
complete -c tenuo -n $c -l receipt-log -r -F -d 'Receipt JSONL file'
complete -c tenuo -n $c -l request-id -x -d 'Receipt request id'
complete -c tenuo -n $c -l headers -x -a '(__tenuo_files)' -d 'Captured HTTP headers'
complete -c tenuo -n $c -l meta -x -a '(__tenuo_files)' -d 'Captured MCP params'
complete -c tenuo -n $c -l json -d 'One JSON document'

# why-denied
set -l c "__fish_seen_subcommand_from why-denied"
complete -c tenuo -n $c -s w -l warrant -x -a '(__tenuo_files)' -d 'Warrant or chain'
complete -c tenuo -n $c -s t -l tool -x -d 'Tool name'
complete -c tenuo -n $c -s a -l args -x -a '(__tenuo_files)' -d 'Call arguments JSON'
complete -c tenuo -n $c -s r -l trusted-root -x -a '(__tenuo_files)' -d 'Trusted root public key'
complete -c tenuo -n $c -s s -l signature -x -a '(__tenuo_files)' -d 'PoP signature'
complete -c tenuo -n $c -l no-pop -d 'Skip the proof of possession'
complete -c tenuo -n $c -l at -x -d 'Evaluation instant'
complete -c tenuo -n $c -l revoked -x -d 'Revoked warrant id'
complete -c tenuo -n $c -l pop-windows -x -a '2 3 4 5 6 7 8 9 10' -d 'PoP windows'
complete -c tenuo -n $c -l json -d 'One JSON document'

# audit-replay
set -l c "__fish_seen_subcommand_from audit-replay"
complete -c tenuo -n $c -s r -l trusted-root -x -a '(__tenuo_files)' -d 'Trusted root public key'
complete -c tenuo -n $c -l warrants -r -F -d 'Warrants file or directory'
complete -c tenuo -n $c -l against -x -a '(__tenuo_files)' -d 'Candidate warrant or chain'
complete -c tenuo -n $c -l at -x -a 'event now' -d 'Evaluation instant'
complete -c tenuo -n $c -l format -x -a 'auto tenuo sdk receipts' -d 'Input format'
complete -c tenuo -n $c -l json -d 'One JSON document'
complete -c tenuo -n $c -l jsonl -d 'One JSON line per record'
complete -c tenuo -n $c -l fail-on -x -a 'deny drift any none' -d 'Exit 1 on'
complete -c tenuo -n $c -l threads -x -d 'Worker threads'
complete -c tenuo -n $c -l authorizer -x -a '(__tenuo_files)' -d 'Allowed receipt signer'
complete -c tenuo -n $c -l pop-windows -x -a '2 3 4 5 6 7 8 9 10' -d 'PoP windows'
complete -c tenuo -n $c -l show -x -d 'Records listed in the summary'
complete -c tenuo -n $c -l no-progress -d 'No progress bar'
complete -c tenuo -n $c -F -d 'Audit log'

# inspect
set -l c "__fish_seen_subcommand_from inspect"
complete -c tenuo -n $c -l json -d 'One JSON document'
complete -c tenuo -n $c -l chain -d 'Show every link'
complete -c tenuo -n $c -l trusted-root -x -a '(__tenuo_files)' -d 'Also verify against this root'
complete -c tenuo -n $c -l at -x -d 'Verification instant'
complete -c tenuo -n $c -a '(__tenuo_files)' -d 'Warrant'

# env, doctor
complete -c tenuo -n "__fish_seen_subcommand_from env doctor" -l json -d 'One JSON document'
