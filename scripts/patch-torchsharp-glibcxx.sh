#!/usr/bin/env bash
# patch-torchsharp-glibcxx.sh — let TorchSharp's native shim load on Debian 12 (engineering workaround, not product code).
#
# Problem: TorchSharp 0.107.0's libLibTorchSharp.so was linked with GCC 13 and records a need for the symbol version
#   GLIBCXX_3.4.32 of libstdc++.so.6. Debian 12 ships GCC 12's libstdc++ (newest version GLIBCXX_3.4.30), so the
#   dynamic loader refuses the library and every torch call fails with a TypeInitializationException /
#   DllNotFoundException. Ubuntu 24.04 (the devcontainer), Windows and macOS are not affected.
# Why the patch is safe: the only symbol bound to GLIBCXX_3.4.32 is _ZSt21ios_base_library_initv, which GCC 13's
#   <iostream> references only to force libstdc++ to be linked (no relocation uses it, nothing calls it). The script
#   rewrites that one version requirement (its .gnu.version_r entry: name and ELF hash) into the GLIBCXX_3.4.30
#   requirement the same file already lists. Nothing else in the file changes.
# What it patches: the copy in the NuGet package cache (so every later build copies the patched file) and any copies
#   already in this repository's artifacts/ folder. It restores lib/LlmNotebooks.Training first if the package is
#   not in the cache yet.
# Idempotent: a patched file is left alone. A no-op (exit 0) on non-Linux systems and where the system libstdc++
#   already provides GLIBCXX_3.4.32 (Ubuntu 24.04, Debian 13, ...).
# Needs: bash, perl (essential on Debian), dotnet, ldconfig.
# Usage (from anywhere): bash scripts/patch-torchsharp-glibcxx.sh      # CI: .ci/run calls it before `dotnet test`
# Alternatives to this script: run on Ubuntu 24.04 (the devcontainer), or install GCC 13's libstdc++ (e.g. from
#   Debian 13) system-wide.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need=GLIBCXX_3.4.32
have=GLIBCXX_3.4.30

if [ "$(uname -s)" != Linux ]; then
  echo "patch-torchsharp-glibcxx: not Linux, nothing to do."
  exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "patch-torchsharp-glibcxx: not x86_64 (TorchSharp ships Linux native libraries for x64 only), nothing to do."
  exit 0
fi

# ldconfig lives in /sbin, which is not on every user's PATH. Its listing is read whole before awk looks at it: awk
# leaving early would kill ldconfig with SIGPIPE, and under pipefail the script would exit 141 at random.
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
cache_list="$("$ldconfig_bin" -p)"
libstdcxx="$(awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found { print $NF; found = 1 }' <<<"$cache_list")"
if [ -z "$libstdcxx" ]; then
  echo "patch-torchsharp-glibcxx: no x86-64 libstdc++.so.6 found by ldconfig; install libstdc++6." >&2
  exit 1
fi
if grep -qa "$need" "$libstdcxx"; then
  echo "patch-torchsharp-glibcxx: $libstdcxx provides $need, nothing to do."
  exit 0
fi

cache="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
cache="${cache%/}"
shopt -s nullglob
cached=("$cache"/torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so)
if [ ${#cached[@]} -eq 0 ]; then
  echo "patch-torchsharp-glibcxx: TorchSharp is not in $cache yet; restoring lib/LlmNotebooks.Training."
  dotnet restore "$root/lib/LlmNotebooks.Training" --verbosity quiet
  cached=("$cache"/torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so)
fi
if [ ${#cached[@]} -eq 0 ]; then
  echo "patch-torchsharp-glibcxx: libLibTorchSharp.so not found under $cache/torchsharp after restore." >&2
  exit 1
fi
built=()
if [ -d "$root/artifacts" ]; then
  while IFS= read -r -d '' f; do built+=("$f"); done < <(find "$root/artifacts" -name libLibTorchSharp.so -print0)
fi

for file in "${cached[@]}" "${built[@]}"; do
  # Perl rewrites the Vernaux entry (vna_hash, vna_name) of GLIBCXX_3.4.32 in the ELF64 little-endian .gnu.version_r
  # section, copying them from the file's own GLIBCXX_3.4.30 entry; it writes a temporary file and renames it.
  perl -e '
    use strict; use warnings;
    my ($path, $need, $have) = @ARGV;
    open(my $fh, "<:raw", $path) or die "cannot read $path: $!\n";
    local $/; my $elf = <$fh>; close $fh;
    die "$path is not a 64-bit little-endian ELF file\n" unless substr($elf, 0, 6) eq "\x7fELF\x02\x01";
    my ($shoff) = unpack("Q<", substr($elf, 0x28, 8));
    my ($shentsize, $shnum) = unpack("S<S<", substr($elf, 0x3A, 4));
    my @sections = map { [unpack("L<L<Q<Q<Q<Q<L<L<", substr($elf, $shoff + $_ * $shentsize, 48))] } 0 .. $shnum - 1;
    my ($verneed) = grep { $_->[1] == 0x6ffffffe } @sections;       # SHT_GNU_verneed
    die "$path has no .gnu.version_r section\n" unless $verneed;
    my $strtab = $sections[$verneed->[6]][4];                       # sh_link -> .dynstr offset
    my $cstr = sub { my $o = $strtab + shift; substr($elf, $o, index($elf, "\0", $o) - $o) };
    my ($pos, %aux) = ($verneed->[4]);
    for (1 .. $verneed->[7]) {                                      # sh_info = number of Verneed entries
      my ($ver, $cnt, $file, $auxoff, $next) = unpack("S<S<L<L<L<", substr($elf, $pos, 16));
      my $a = $pos + $auxoff;
      for (1 .. $cnt) {
        my ($hash, $flags, $other, $name, $anext) = unpack("L<S<S<L<L<", substr($elf, $a, 16));
        $aux{$cstr->($name)} = [$a, $hash, $name] if $cstr->($file) eq "libstdc++.so.6";
        $a += $anext; last unless $anext;
      }
      $pos += $next; last unless $next;
    }
    if (!$aux{$need}) { print "already patched (no $need requirement): $path\n"; exit 0 }
    die "$path lists no $have requirement to reuse\n" unless $aux{$have};
    my ($at) = @{$aux{$need}};
    substr($elf, $at, 4) = pack("L<", $aux{$have}[1]);              # vna_hash
    substr($elf, $at + 8, 4) = pack("L<", $aux{$have}[2]);          # vna_name
    my $tmp = "$path.patch-tmp.$$";
    open(my $out, ">:raw", $tmp) or die "cannot write $tmp: $!\n";
    print $out $elf; close $out or die "cannot write $tmp: $!\n";
    chmod((stat $path)[2] & 07777, $tmp);
    rename($tmp, $path) or die "cannot replace $path: $!\n";
    print "patched $need -> $have: $path\n";
  ' "$file" "$need" "$have"
done
