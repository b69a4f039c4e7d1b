/**
 * The machine table: everything diverge knows about booting each architecture and profile. The
 * config's choices, the QEMU command line, the kernel-format check, KVM eligibility and the
 * harness's results device all read it; a new machine is a new entry here.
 */

import type { NicModel } from './network.js';

/**
 * What a kernel file is, told apart by its header (see kernel-image.ts): what QEMU's `-kernel`
 * loads, or a `boot disk` (a disk image whose first sector the firmware boots, `machine.boot:
 * disk`).
 */
export type KernelFormat =
  'bzImage' | 'arm64 Image' | 'riscv Image' | 'ELF' | 'gzip' | 'PE/EFI' | 'multiboot' | 'boot disk';

/**
 * `machine.boot`: `kernel`, QEMU loads the kernel file itself (`-kernel`); `disk`, the kernel
 * file is a bootable disk image, attached as the first disk, that the firmware boots as the
 * kernel's course does (xv6 for x86's xv6.img, Pintos's os.dsk).
 */
export const BOOT_MODES = ['kernel', 'disk'] as const;
export type BootMode = (typeof BOOT_MODES)[number];

/**
 * `machine.command-line`: where a boot disk's kernel finds its command line (`machine.append`),
 * as QEMU's `-append` cannot give it one. `pintos`: the Pintos loader's argument sector.
 */
export const BOOT_DISK_COMMAND_LINES = ['pintos'] as const;
export type BootDiskCommandLine = (typeof BOOT_DISK_COMMAND_LINES)[number];

/**
 * The formats only Linux is built in (gzip: an arm64 `Image.gz`; PE/EFI: Linux's EFI stub): a
 * kernel in one of them gets Linux's default command line. ELF and multiboot kernels (xv6,
 * Pintos, JOS, Solo5, hobby kernels) get none: Linux's words would mean nothing to them, or
 * worse (Solo5 takes them as its application's arguments).
 */
export const LINUX_KERNEL_FORMATS: readonly KernelFormat[] = [
  'bzImage',
  'arm64 Image',
  'riscv Image',
  'gzip',
  'PE/EFI',
];

/**
 * `machine.exit`: QEMU's isa-debug-exit device at an I/O port. A kernel ends QEMU by writing a
 * value v there; QEMU then exits with status (v << 1) | 1, which diverge takes as a normal end
 * (a result says how the tests went). 0xf4 is the common port; Pintos and Solo5 write 0x501,
 * the device's own default.
 */
export interface ExitDevice {
  device: 'isa-debug-exit';
  port: number;
}
export const DEFAULT_EXIT_PORT = 0xf4;

/** How a disk is attached: the bus the guest finds it on. */
export const DISK_INTERFACES = ['virtio-pci', 'virtio-mmio', 'ide', 'scsi'] as const;
export type DiskInterface = (typeof DISK_INTERFACES)[number];
export const DISK_FORMATS = ['raw', 'qcow2'] as const;

/**
 * A disk of `harness.disks`: without `interface`, attached as QEMU's `if=virtio` (virtio-blk on
 * the machine's PCI bus), as diverge always did.
 */
export interface Disk {
  file: string;
  interface?: DiskInterface;
  format: (typeof DISK_FORMATS)[number];
  /** A boot's own copy (a saved VM's overlay, see qemu/snapshot.ts): attached without snapshot=on. */
  writable?: boolean;
  /** `tests`: attached to the per-test boots of these tests (globs) only. */
  tests?: readonly string[];
}

/** What differs between the profiles of one architecture. */
interface Profile {
  /** QEMU machine type (`-M`), and its options. */
  type: string;
  options?: readonly string[];
  /** The disk interfaces the machine has. */
  disks: readonly DiskInterface[];
  /** The interface of the disk its firmware boots (`machine.boot: disk`); absent: it cannot. */
  bootDisk?: DiskInterface;
  /** The NIC models the machine has (`harness.network.nic`), its default first. */
  nics: readonly NicModel[];
}

/**
 * What `machine.firmware` can be: the options for `default` and for `none` (absent: the
 * machine cannot boot without firmware); a file is always `-bios FILE`.
 */
interface Firmware {
  default: readonly string[];
  none?: readonly string[];
}

interface ArchMachines {
  binary: string;
  /** The Debian package that ships the binary, for the error when it is missing. */
  debianPackage: string;
  /** CPU model under TCG; KVM always uses `host`. */
  tcgCpu?: string;
  firmware: Firmware;
  /** The guest's console device (the first serial port), named in the default command line. */
  console: string;
  /**
   * Linux parameters the default command line adds for this arch. x86's `no_timer_check`: under
   * TCG on a loaded host Linux's IO-APIC timer check fails and panics ("IO-APIC + timer doesn't
   * work!"), a fault of the host's speed, not of the kernel under test.
   */
  linuxQuirks?: string;
  /** How the second serial port (results channel `serial2`) is attached, and its guest device. */
  serial2: { host: 'isa-serial' | 'virtio-console'; guest: string };
  kernelFormats: readonly KernelFormat[];
  /** Whether the guest can run under KVM on an x86_64 host. */
  kvmOnX86Host: boolean;
  /** Whether the machine has an ISA bus for `isa-debug-exit`. */
  debugExit: boolean;
  /**
   * The least `machine.memory` that boots anything: what the firmware needs, and on x86 room for
   * a kernel above the first MiB (with less, SeaBIOS runs and the kernel never does). Whether
   * the kernel itself fits QEMU checks, naming the sizes.
   */
  minMemoryMiB: number;
  /** By name; the first is the default. */
  profiles: Readonly<Record<string, Profile>>;
}

const PC_DISKS = ['virtio-pci', 'ide', 'scsi'] as const;
const VIRT_DISKS = ['virtio-mmio', 'virtio-pci', 'scsi'] as const;
// PCI NICs on a PC; e1000 is what most hobby and teaching kernels drive.
const PC_NICS = ['virtio-net-pci', 'e1000', 'e1000e', 'rtl8139'] as const;
// The virt boards have PCIe and virtio-mmio transports.
const VIRT_NICS = ['virtio-net-pci', 'virtio-net-device', 'e1000'] as const;

// SeaBIOS boots the first IDE disk, where a course's Makefile puts its boot image (index=0).
const PC = { type: 'pc', disks: PC_DISKS, bootDisk: 'ide', nics: PC_NICS } as const;
const Q35 = { type: 'q35', disks: PC_DISKS, bootDisk: 'ide', nics: PC_NICS } as const;

const X86 = {
  debianPackage: 'qemu-system-x86',
  // SeaBIOS (or the file given) loads the kernel: there is no booting without it.
  firmware: { default: [] },
  console: 'ttyS0',
  linuxQuirks: 'no_timer_check',
  serial2: { host: 'isa-serial', guest: '/dev/ttyS1' },
  kernelFormats: ['bzImage', 'ELF', 'multiboot'],
  kvmOnX86Host: true,
  debugExit: true,
  minMemoryMiB: 2,
} as const;

const MACHINES = {
  x86_64: {
    ...X86,
    binary: 'qemu-system-x86_64',
    profiles: {
      pc: PC,
      q35: Q35,
      // Legacy timers and interrupt controller: without KVM's paravirtual clock, Linux cannot
      // calibrate its TSC on a bare microvm and hangs early.
      microvm: {
        type: 'microvm',
        options: ['pit=on', 'pic=on', 'rtc=on'],
        disks: ['virtio-mmio'],
        nics: ['virtio-net-device'],
      },
    },
  },
  i386: {
    ...X86,
    binary: 'qemu-system-i386',
    profiles: { pc: PC, q35: Q35 },
  },
  aarch64: {
    binary: 'qemu-system-aarch64',
    debianPackage: 'qemu-system-arm',
    tcgCpu: 'cortex-a57',
    console: 'ttyAMA0',
    serial2: { host: 'virtio-console', guest: '/dev/hvc0' },
    kernelFormats: ['arm64 Image', 'ELF', 'gzip', 'PE/EFI'],
    kvmOnX86Host: false,
    debugExit: false,
    minMemoryMiB: 1,
    // QEMU loads the kernel itself and jumps to it: no firmware either way.
    firmware: { default: [], none: [] },
    profiles: { virt: { type: 'virt', disks: VIRT_DISKS, nics: VIRT_NICS } },
  },
  riscv64: {
    binary: 'qemu-system-riscv64',
    debianPackage: 'qemu-system-misc',
    // OpenSBI, which starts an S-mode kernel; a kernel that runs in M-mode (xv6) needs none.
    firmware: { default: ['-bios', 'default'], none: ['-bios', 'none'] },
    console: 'ttyS0',
    serial2: { host: 'virtio-console', guest: '/dev/hvc0' },
    kernelFormats: ['riscv Image', 'ELF', 'PE/EFI'],
    kvmOnX86Host: false,
    debugExit: false,
    // OpenSBI with less: "Some ROM regions are overlapping".
    minMemoryMiB: 3,
    profiles: { virt: { type: 'virt', disks: VIRT_DISKS, nics: VIRT_NICS } },
  },
} satisfies Record<string, ArchMachines>;

export type Arch = keyof typeof MACHINES;

const TABLE: Readonly<Record<Arch, ArchMachines>> = MACHINES;

/** Every architecture, in the table's order. */
export const ARCHES = Object.keys(TABLE) as [Arch, ...Arch[]];

/** What every profile of an architecture shares. */
export function archMachines(arch: Arch): Omit<ArchMachines, 'profiles'> {
  return TABLE[arch];
}

/** The profiles of an architecture, the default first. */
export function profilesOf(arch: Arch): [string, ...string[]] {
  return Object.keys(TABLE[arch].profiles) as [string, ...string[]];
}

/** The disk interfaces of a machine. */
export function diskInterfacesOf(arch: Arch, profile: string): readonly DiskInterface[] {
  return machineProfile(arch, profile).disks;
}

/**
 * The kernel command line when the config gives none: for Linux (told by its kernel's format,
 * see LINUX_KERNEL_FORMATS) its console, and a panic that ends the VM (with -no-reboot); for
 * any other kernel none.
 */
export function defaultAppend(arch: Arch, format: KernelFormat | undefined): string {
  if (format === undefined || !LINUX_KERNEL_FORMATS.includes(format)) return '';
  const { console, linuxQuirks } = TABLE[arch];
  return [`console=${console}`, 'panic=-1', linuxQuirks].filter(Boolean).join(' ');
}

/** Every guest device the second serial port can be: a harness image's /init tries each in turn. */
export const SERIAL2_GUEST_DEVICES = [...new Set(ARCHES.map((arch) => TABLE[arch].serial2.guest))];

/** One machine: an architecture's entry with one of its profiles. */
export type MachineProfile = Omit<ArchMachines, 'profiles'> & {
  arch: Arch;
  profile: string;
  /** The `-M` value: the machine type and its options. */
  machine: string;
  disks: readonly DiskInterface[];
  bootDisk?: DiskInterface;
  /** Its NIC models, the default first. */
  nics: readonly NicModel[];
};

export function machineProfile(arch: Arch, profile: string): MachineProfile {
  const { profiles, ...shared } = TABLE[arch];
  const found = Object.hasOwn(profiles, profile) ? profiles[profile] : undefined;
  if (!found) {
    throw new Error(
      `machine.profile: ${arch} has no profile "${profile}" (expected one of ${profilesOf(arch).join(', ')})`,
    );
  }
  return {
    ...shared,
    arch,
    profile,
    machine: [found.type, ...(found.options ?? [])].join(','),
    disks: found.disks,
    nics: found.nics,
    ...(found.bootDisk && { bootDisk: found.bootDisk }),
  };
}

/** The NIC models of a machine, its default first. */
export function nicsOf(arch: Arch, profile: string): readonly NicModel[] {
  return machineProfile(arch, profile).nics;
}

/** The machines whose firmware boots a disk (`machine.boot: disk`), as `arch profile`. */
export function bootDiskMachines(): string[] {
  return ARCHES.flatMap((arch) =>
    Object.entries(TABLE[arch].profiles)
      .filter(([, profile]) => profile.bootDisk)
      .map(([name]) => `${arch} ${name}`),
  );
}
