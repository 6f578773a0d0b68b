#!/usr/bin/env python3
"""Writes the checked-in seed corpora of the bpf fuzzers (fuzz/corpus/*). Run from
bpf-loader/: python3 fuzz/make_seeds.py. The ELF seeds are synthetic and small: a stripped
Go-like ELF64 with .text, .gopclntab (Go 1.20 layout) and .go.buildinfo, the same with a
.symtab, and a 32-bit-pointer variant; the real Go workloads (megabytes) replay in ctest
from the build tree instead (fuzz_corpus.bpf_elf_built)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def gopclntab(text_start, funcs, ptr=8):
    """pcHeader (magic 0xfffffff1 = Go 1.20+), funcnametab, functab + _func records."""
    names = b""
    name_off = []
    for name, _ in funcs:
        name_off.append(len(names))
        names += name.encode() + b"\0"
    n = len(funcs)
    word = "<Q" if ptr == 8 else "<I"
    header_len = 8 + 8 * ptr
    funcname_off = header_len
    pcln_off = funcname_off + len(names)
    functab = b""
    records = b""
    rec_base = (n + 1) * 8
    for i, (_, entry) in enumerate(funcs):
        functab += struct.pack("<II", entry, rec_base + len(records))
        records += struct.pack("<Ii", entry, name_off[i]) + b"\0" * 8
    functab += struct.pack("<II", funcs[-1][1] + 0x40, 0)  # end of the last function
    hdr = struct.pack("<IBBBB", 0xFFFFFFF1, 0, 0, 1, ptr)
    for v in (n, 0, text_start, funcname_off, 0, 0, 0, pcln_off):
        hdr += struct.pack(word, v)
    return hdr + names + functab + records


def buildinfo(version):
    b = b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16
    return b + bytes([len(version)]) + version.encode() + b"\0"


def elf64(sections, symbols=None):
    """A little-endian x86_64 ET_EXEC with one PT_LOAD covering the file at 0x400000."""
    base = 0x400000
    out = bytearray(64 + 56)  # ELF header + one program header
    shdrs = []
    shstr = b"\0"

    def add(name, typ, data, addr=0, link=0, entsize=0):
        nonlocal shstr
        off = len(out)
        out.extend(data)
        while len(out) % 8:
            out.append(0)
        shdrs.append((len(shstr), typ, addr, off, len(data), link, entsize))
        shstr += name.encode() + b"\0"

    for name, data in sections:
        add(name, 1, data, base + len(out))
    if symbols:
        strtab = b"\0"
        symtab = b"\0" * 24
        for name, value in symbols:
            symtab += struct.pack("<IBBHQQ", len(strtab), 0x12, 0, 1, value, 0x40)
            strtab += name.encode() + b"\0"
        add(".strtab", 3, strtab)
        # .symtab links to .strtab: the last section added (file index = list index + 1).
        add(".symtab", 2, symtab, link=len(shdrs), entsize=24)
    add(".shstrtab", 3, b"")  # placeholder, filled below
    shstr_index = len(shdrs)
    # Rewrite .shstrtab's data at the end.
    name_off = shdrs[-1][0]
    off = len(out)
    out.extend(shstr)
    shdrs[-1] = (name_off, 3, 0, off, len(shstr), 0, 0)
    while len(out) % 8:
        out.append(0)
    shoff = len(out)
    out.extend(b"\0" * 64)  # null section header
    for name, typ, addr, off, size, link, entsize in shdrs:
        out.extend(struct.pack("<IIQQQQIIQQ", name, typ, 6 if typ == 1 else 0, addr, off, size,
                               link, 0, 1, entsize))
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    out[0:64] = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, base + 0x1000, 64, shoff, 0, 64,
                                    56, 1, 64, len(shdrs) + 1, shstr_index)
    out[64:120] = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, len(out), len(out), 0x1000)
    return bytes(out)


text = bytes([0xC3]) * 0x200
funcs = [("runtime.goexit1", 0x40), ("runtime.gopark", 0x80), ("runtime.newproc1", 0x0),
         ("main.main", 0x100)]
funcs.sort(key=lambda f: f[1])
tab = gopclntab(0x400078, funcs)
write("elf", "go_stripped", elf64([(".text", text), (".gopclntab", tab),
                                   (".go.buildinfo", buildinfo("go1.26.0"))]))
write("elf", "go_symtab", elf64([(".text", text), (".gopclntab", tab)],
                                symbols=[("runtime.newproc1", 0x400078), ("main.main", 0x400178)]))
write("elf", "go_ptr4", elf64([(".text", text), (".gopclntab", gopclntab(0x400078, funcs, 4))]))
write("elf", "go_bad_nfunc", elf64([(".gopclntab", gopclntab(0, funcs)[:40])]))
write("elf", "not_elf", "#!/bin/sh\necho hi\n")
write("elf", "truncated", elf64([(".text", text)])[:100])

# /proc/<pid>/cgroup, mountinfo, container IDs, cpu.stat, stat, statm.
cid = "0123456789abcdef" * 4
write("cgroup", "v2_containerd",
      f"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8f1b3c2d_1a2b_4c3d_9e8f_0123456789ab.slice/cri-containerd-{cid}.scope\n")
write("cgroup", "v1_cgroupfs",
      "12:memory:/kubepods/burstable/pod8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab/" + cid + "\n"
      "11:cpu,cpuacct:/kubepods/burstable/pod8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab/" + cid + "\n"
      "1:name=systemd:/kubepods/burstable/pod8f1b3c2d/" + cid + "\n0::/\n")
write("cgroup", "crio_conmon", f"0::/machine.slice/crio-conmon-{cid}.scope\n0::/crio-{cid}.scope\n")
write("cgroup", "docker", f"0::/system.slice/docker-{cid}.scope\n")
write("cgroup", "bad_lines", "x::/a\n1:mem\n2:memory:relative\n\n")
write("cgroup", "mountinfo",
      "25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
      "26 30 0:24 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
      "27 30 0:25 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "28 30 0:26 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
      "29 30 0:27 /  rw - cgroup cgroup rw,,\n")
write("cgroup", "container_ids", f"containerd://{cid}\ncri-o://{cid}\ndocker://{cid[:12]}")
write("cgroup", "cpu_stat", "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n")
write("cgroup", "proc_stat",
      "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 17 4 0 0 20 0 1 0 99 1000 200\n")
write("cgroup", "statm", "2500 300 200 10 0 100 0\n")
