/* CO-RE and ABI shims isolated from the probe logic (after bcc's core_fixes.bpf.h).
 *
 * Go register ABI (ABIInternal, Go 1.17 amd64 / Go 1.18 arm64): integer arguments in
 * RAX, RBX, RCX, RDI, RSI, R8... on amd64 and R0..R15 on arm64; the current goroutine's g
 * is in R14 (amd64) or R28 (arm64). See Go's src/cmd/compile/abi-internal.md. */
#ifndef LIMEN_CORE_FIXES_BPF_H
#define LIMEN_CORE_FIXES_BPF_H

#if defined(__TARGET_ARCH_x86)
#define GO_PARAM1(ctx) ((ctx)->ax)
#define GO_PARAM2(ctx) ((ctx)->bx)
#define GO_PARAM3(ctx) ((ctx)->cx)
#define GO_G(ctx) ((ctx)->r14)
#elif defined(__TARGET_ARCH_arm64)
#define GO_PARAM1(ctx) (((struct user_pt_regs*)(ctx))->regs[0])
#define GO_PARAM2(ctx) (((struct user_pt_regs*)(ctx))->regs[1])
#define GO_PARAM3(ctx) (((struct user_pt_regs*)(ctx))->regs[2])
#define GO_G(ctx) (((struct user_pt_regs*)(ctx))->regs[28])
#else
#error "limen.bpf.c: Go register ABI not mapped for this architecture"
#endif

#endif /* LIMEN_CORE_FIXES_BPF_H */
