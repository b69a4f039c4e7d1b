/** Machine profiles: which QEMU binary and machine options boot a given arch/profile. */
export type Arch = 'x86_64' | 'i386' | 'aarch64' | 'riscv64';

export interface MachineProfile {
  binary: string;
  /** The Debian package that ships the binary, for the error when it is missing. */
  debianPackage: string;
  machine: string;
  /** CPU model under TCG; KVM always uses `host`. */
  tcgCpu?: string;
  /** Extra options the machine needs to boot a bare `-kernel`. */
  extra: readonly string[];
  /** How the second serial port (results channel `serial2`) is attached, and its guest device. */
  serial2: 'isa-serial' | 'virtio-console';
  /** Archs whose guests can run under KVM on an x86_64 host. */
  kvmOnX86Host: boolean;
}

const X86 = {
  debianPackage: 'qemu-system-x86',
  serial2: 'isa-serial',
  kvmOnX86Host: true,
} as const;

const PROFILES: Record<Arch, Record<string, MachineProfile>> = {
  x86_64: {
    pc: { ...X86, binary: 'qemu-system-x86_64', machine: 'pc', extra: [] },
    q35: { ...X86, binary: 'qemu-system-x86_64', machine: 'q35', extra: [] },
    // Legacy timers and interrupt controller: without KVM's paravirtual clock, Linux cannot
    // calibrate its TSC on a bare microvm and hangs early.
    microvm: {
      ...X86,
      binary: 'qemu-system-x86_64',
      machine: 'microvm,pit=on,pic=on,rtc=on',
      extra: [],
    },
  },
  i386: {
    pc: { ...X86, binary: 'qemu-system-i386', machine: 'pc', extra: [] },
    q35: { ...X86, binary: 'qemu-system-i386', machine: 'q35', extra: [] },
  },
  aarch64: {
    virt: {
      binary: 'qemu-system-aarch64',
      debianPackage: 'qemu-system-arm',
      machine: 'virt',
      tcgCpu: 'cortex-a57',
      extra: [],
      serial2: 'virtio-console',
      kvmOnX86Host: false,
    },
  },
  riscv64: {
    virt: {
      binary: 'qemu-system-riscv64',
      debianPackage: 'qemu-system-misc',
      machine: 'virt',
      extra: ['-bios', 'default'],
      serial2: 'virtio-console',
      kvmOnX86Host: false,
    },
  },
};

export function machineProfile(arch: Arch, profile: string): MachineProfile {
  const found = PROFILES[arch][profile];
  if (!found) {
    const known = Object.keys(PROFILES[arch]).join(', ');
    throw new Error(
      `machine.profile: ${arch} has no profile "${profile}" (expected one of ${known})`,
    );
  }
  return found;
}
