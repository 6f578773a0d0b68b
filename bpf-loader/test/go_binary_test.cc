#include "limen/bpf/go_binary.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

namespace limen::bpf {
namespace {

std::string TestData(const std::string& name) {
  const char* dir = std::getenv("LIMEN_BPF_TESTDATA");  // NOLINT(concurrency-mt-unsafe)
  return std::string(dir ? dir : ".") + "/" + name;
}

TEST(GoBinary, PlainBinaryResolvesFromSymtabAndPclntabAlike) {
  auto elf = ElfFile::Open(TestData("goworkload"));
  ASSERT_TRUE(elf.ok()) << elf.status().ToString();
  auto info = InspectGoBinary(*elf);
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->stripped);
  EXPECT_EQ(info->version.substr(0, 4), "go1.");
  auto pcln = GoPclntab::Parse(*elf);
  ASSERT_TRUE(pcln.ok()) << pcln.status().ToString();
  for (const char* fn :
       {"runtime.newproc1", "runtime.goexit1", "runtime.gopark", "runtime.ready", "main.main"}) {
    auto sym = elf->FindSymbol(fn);
    ASSERT_TRUE(sym.has_value()) << fn;
    EXPECT_EQ(pcln->FindFunction(fn), sym->value) << fn;
    EXPECT_EQ(pcln->FunctionAt(sym->value + 1), fn);
    EXPECT_TRUE(elf->FileOffsetOf(sym->value).has_value());
  }
}

TEST(GoBinary, StrippedBinaryResolvesFromPclntab) {
  auto plain = ElfFile::Open(TestData("goworkload"));
  auto stripped = ElfFile::Open(TestData("goworkload-stripped"));
  ASSERT_TRUE(plain.ok() && stripped.ok());
  EXPECT_FALSE(stripped->has_symtab());
  auto info = InspectGoBinary(*stripped);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->stripped);
  EXPECT_FALSE(stripped->FindSymbol("runtime.newproc1").has_value());
  auto pcln = GoPclntab::Parse(*stripped);
  ASSERT_TRUE(pcln.ok()) << pcln.status().ToString();
  auto addr = FindGoFunction(*stripped, &*pcln, "runtime.newproc1");
  ASSERT_TRUE(addr.ok());
  // -s -w drops symbols, not code: the function is where the plain build has it.
  EXPECT_EQ(*addr, plain->FindSymbol("runtime.newproc1")->value);
  EXPECT_FALSE(FindGoFunction(*stripped, &*pcln, "no.such.function").ok());
}

// The probed functions of the machine's Go start with the stack-growth check, so their
// uprobes go on the `push rbp` after it (emulated by the kernel, no single-step).
TEST(GoBinary, ProbedFunctionsGetTheirUprobeAfterTheStackCheck) {
  for (const char* file : {"goworkload", "goworkload-stripped"}) {
    auto elf = ElfFile::Open(TestData(file));
    ASSERT_TRUE(elf.ok()) << elf.status().ToString();
    auto pcln = GoPclntab::Parse(*elf);
    ASSERT_TRUE(pcln.ok()) << pcln.status().ToString();
    for (const char* fn :
         {"runtime.newproc1", "runtime.goexit1", "runtime.gopark", "runtime.ready"}) {
      auto addr = FindGoFunction(*elf, &*pcln, fn);
      ASSERT_TRUE(addr.ok()) << fn;
      const std::string_view code = elf->BytesAt(*addr, 16);
      const uint64_t offset = GoUprobeOffset(code);
      EXPECT_GT(offset, 0U) << file << " " << fn;
      ASSERT_LT(offset, code.size());
      EXPECT_EQ(static_cast<uint8_t>(code[offset]), 0x55) << fn << ": not at push rbp";
    }
  }
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (const int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(GoUprobeOffset, SkipsEachFormOfTheStackCheck) {
  // cmp rsp, [r14+0x10]; jbe rel8; push rbp
  EXPECT_EQ(GoUprobeOffset(Bytes({0x49, 0x3b, 0x66, 0x10, 0x76, 0x2a, 0x55, 0x48, 0x89, 0xe5})),
            6U);
  // ... jbe rel32
  EXPECT_EQ(GoUprobeOffset(Bytes({0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 1, 2, 0, 0, 0x55})), 10U);
  // lea r12, [rsp-0x28]; cmp r12, [r14+0x10]; jbe rel32; push rbp
  EXPECT_EQ(GoUprobeOffset(Bytes({0x4c, 0x8d, 0x64, 0x24, 0xd8, 0x4d, 0x3b, 0x66, 0x10, 0x0f, 0x86,
                                  1, 2, 0, 0, 0x55})),
            15U);
  // lea r12, [rsp-0x1000] (disp32); cmp r12, ...; jbe rel8; push rbp
  EXPECT_EQ(GoUprobeOffset(Bytes({0x4c, 0x8d, 0xa4, 0x24, 0x00, 0xf0, 0xff, 0xff, 0x4d, 0x3b, 0x66,
                                  0x10, 0x76, 0x10, 0x55})),
            14U);
}

TEST(GoUprobeOffset, AnythingElseIsProbedAtTheEntry) {
  EXPECT_EQ(GoUprobeOffset(""), 0U);
  EXPECT_EQ(GoUprobeOffset(Bytes({0x55, 0x48, 0x89, 0xe5})), 0U);  // NOSPLIT: push rbp first
  EXPECT_EQ(GoUprobeOffset(Bytes({0x49, 0x3b, 0x66, 0x10, 0x76, 0x2a, 0x48})), 0U);  // no push
  EXPECT_EQ(GoUprobeOffset(Bytes({0x49, 0x3b, 0x66, 0x10, 0x76})), 0U);              // truncated
  EXPECT_EQ(GoUprobeOffset(Bytes({0x49, 0x3b, 0x66, 0x18, 0x76, 0x2a, 0x55})), 0U);  // not +0x10
  // cmp r12 without the lea that sets r12
  EXPECT_EQ(GoUprobeOffset(Bytes({0x4d, 0x3b, 0x66, 0x10, 0x76, 0x2a, 0x55})), 0U);
  // lea r12 followed by cmp rsp: not Go's check
  EXPECT_EQ(GoUprobeOffset(
                Bytes({0x4c, 0x8d, 0x64, 0x24, 0xd8, 0x49, 0x3b, 0x66, 0x10, 0x76, 0x2a, 0x55})),
            0U);
}

TEST(GoBinary, NonGoElfIsNotGo) {
  auto elf = ElfFile::Open(TestData("listen_after"));
  ASSERT_TRUE(elf.ok()) << elf.status().ToString();
  EXPECT_FALSE(InspectGoBinary(*elf).has_value());
  EXPECT_FALSE(GoPclntab::Parse(*elf).ok());
}

TEST(ElfFile, MalformedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ElfFile::FromBytes("").ok());
  EXPECT_FALSE(ElfFile::FromBytes("\x7f"
                                  "ELF")
                   .ok());
  EXPECT_FALSE(ElfFile::Open("/nonexistent/binary").ok());
  // Every truncation of a real binary's head parses or fails cleanly.
  auto elf = ElfFile::Open(TestData("goworkload-stripped"));
  ASSERT_TRUE(elf.ok());
  std::string bytes(elf->data().substr(0, 1 << 16));
  for (size_t n : {size_t{16}, size_t{64}, size_t{100}, size_t{4096}, bytes.size()}) {
    auto t = ElfFile::FromBytes(bytes.substr(0, n));
    if (t.ok()) {
      (void)GoPclntab::Parse(*t);
      (void)InspectGoBinary(*t);
      (void)t->FindSymbol("runtime.newproc1");
    }
  }
  // Corrupt the .gopclntab header's function count.
  std::string whole(elf->data());
  const ElfSection* sec = elf->FindSection(".gopclntab");
  ASSERT_NE(sec, nullptr);
  for (size_t i = 8; i < 16; ++i) whole[sec->offset + i] = '\xff';
  auto corrupt = ElfFile::FromBytes(whole);
  ASSERT_TRUE(corrupt.ok());
  EXPECT_FALSE(GoPclntab::Parse(*corrupt).ok());
}

TEST(GoChanWaitReasonMask, KnownAndUnknownReleases) {
  auto mask = GoChanWaitReasonMask("go1.26.8");
  ASSERT_TRUE(mask.has_value());
  EXPECT_TRUE(*mask & (1ull << 20));   // waitReasonChanReceive
  EXPECT_TRUE(*mask & (1ull << 21));   // waitReasonChanSend
  EXPECT_FALSE(*mask & (1ull << 15));  // waitReasonSleep is not a channel wait
  EXPECT_FALSE(GoChanWaitReasonMask("go1.12").has_value());
}

}  // namespace
}  // namespace limen::bpf

namespace limen::bpf {
namespace {

// The synthetic fuzz seeds (fuzz/make_seeds.py) are real inputs for the reader, not junk:
// each reaches the code it is meant to seed.
std::string Seed(const std::string& name) {
  const char* dir = std::getenv("LIMEN_BPF_FUZZ_CORPUS");  // NOLINT(concurrency-mt-unsafe)
  std::ifstream in(std::string(dir ? dir : "fuzz/corpus") + "/elf/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FuzzSeeds, SyntheticGoElfParses) {
  for (const char* name : {"go_stripped", "go_symtab", "go_ptr4"}) {
    auto elf = ElfFile::FromBytes(Seed(name));
    ASSERT_TRUE(elf.ok()) << name << ": " << elf.status().ToString();
    ASSERT_TRUE(InspectGoBinary(*elf).has_value()) << name;
    auto tab = GoPclntab::Parse(*elf);
    ASSERT_TRUE(tab.ok()) << name << ": " << tab.status().ToString();
    EXPECT_EQ(tab->size(), 4u) << name;
    auto addr = FindGoFunction(*elf, &*tab, "runtime.newproc1");
    ASSERT_TRUE(addr.ok()) << name;
    EXPECT_EQ(*addr, 0x400078u) << name;
    EXPECT_EQ(tab->FunctionAt(0x400078 + 0x90), "runtime.gopark") << name;
    EXPECT_TRUE(elf->FileOffsetOf(*addr).has_value()) << name;
  }
  auto stripped = ElfFile::FromBytes(Seed("go_stripped"));
  EXPECT_EQ(InspectGoBinary(*stripped)->version, "go1.26.0");
  EXPECT_TRUE(InspectGoBinary(*stripped)->stripped);
  auto symtab = ElfFile::FromBytes(Seed("go_symtab"));
  EXPECT_TRUE(symtab->FindSymbol("main.main").has_value());
  auto bad = ElfFile::FromBytes(Seed("go_bad_nfunc"));
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(GoPclntab::Parse(*bad).ok());
}

}  // namespace
}  // namespace limen::bpf
