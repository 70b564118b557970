// Marks one GNU symbol-version requirement (e.g. GLIBCXX_3.4.32) of an ELF64 shared object as WEAK.
//
// Why: TorchSharp-cpu 0.107.0's libLibTorchSharp.so was linked with GCC 13 and so asks for
// GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12, up to 3.4.30) lacks; the dynamic loader
// then refuses the whole library. The only symbol carrying that version is
// _ZSt21ios_base_library_initv, a link-time marker that is never relocated, so nothing at run
// time needs it. A weak version requirement (VER_FLG_WEAK) is only checked if a symbol bound
// to it is actually looked up, which it never is. This file refuses to weaken anything if other
// symbols carry the version, because then the weakening would hide a real missing dependency.
//
// The same source is compiled twice: into the MSBuild inline task (build/WeakenGlibcxxRequirement.targets)
// and, with VEIL_ELF_ONLY defined, into the Compute tests that check the build output.
// It targets netstandard2.0 (what RoslynCodeTaskFactory compiles against): no Span, no BinaryPrimitives.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Veil.Build
{
    public enum WeakenOutcome { Weakened, AlreadyWeak, NotRequired }

    public sealed class ElfFormatException : Exception
    {
        public ElfFormatException(string message) : base(message) { }
    }

    public static class ElfVersionNeeds
    {
        const uint ShtDynsym = 11;
        const uint ShtGnuVerneed = 0x6ffffffe; // .gnu.version_r: versions this object needs
        const uint ShtGnuVersym = 0x6fffffff;  // .gnu.version: version index of each dynamic symbol
        public const ushort VerFlagWeak = 0x2; // VER_FLG_WEAK in vna_flags

        /// <summary>One Vernaux entry: a version name required from one needed library.</summary>
        public sealed class Requirement
        {
            public string Library = "";
            public string Name = "";
            public ushort Flags;
            public ushort Index;      // vna_other: the index .gnu.version uses for this version
            public long FlagsOffset;  // file offset of vna_flags
            public bool IsWeak { get { return (Flags & VerFlagWeak) != 0; } }
        }

        /// <summary>Patches <paramref name="path"/> in place (by atomic replace). Idempotent.</summary>
        public static WeakenOutcome Weaken(string path, string versionName, ICollection<string> allowedSymbols)
        {
            byte[] image = File.ReadAllBytes(path);
            WeakenOutcome outcome = Weaken(image, path, versionName, allowedSymbols);
            if (outcome != WeakenOutcome.Weakened) return outcome;
            // Write a new file and rename it over the old one: if the output were a hard link or
            // symlink into the NuGet cache, an in-place write would corrupt the shared cache copy.
            string temp = path + ".veil-patch.tmp";
            File.WriteAllBytes(temp, image);
            if (File.Exists(path)) File.Delete(path);
            File.Move(temp, path);
            return outcome;
        }

        /// <summary>Patches the image in memory; <paramref name="label"/> names the file in errors.</summary>
        public static WeakenOutcome Weaken(byte[] image, string label, string versionName, ICollection<string> allowedSymbols)
        {
            List<Requirement> requirements = ReadRequirements(image, label);
            Requirement target = null;
            foreach (Requirement r in requirements)
                if (r.Name == versionName) { target = r; break; }
            if (target == null) return WeakenOutcome.NotRequired;

            var bound = SymbolsBoundTo(image, label, target.Index);
            foreach (string symbol in bound)
                if (!allowedSymbols.Contains(symbol))
                    throw new ElfFormatException(label + ": symbol '" + symbol + "' needs " + versionName +
                        " and would really be looked up at run time; weakening the requirement is not safe. " +
                        "Known-safe symbols: " + string.Join(", ", allowedSymbols) + ".");

            if (target.IsWeak) return WeakenOutcome.AlreadyWeak;
            ushort flags = (ushort)(target.Flags | VerFlagWeak);
            image[target.FlagsOffset] = (byte)(flags & 0xff);
            image[target.FlagsOffset + 1] = (byte)(flags >> 8);
            return WeakenOutcome.Weakened;
        }

        /// <summary>Every Vernaux entry of .gnu.version_r, with the library that it is required from.</summary>
        public static List<Requirement> ReadRequirements(byte[] image, string label)
        {
            Sections s = Sections.Read(image, label);
            int verneed = s.IndexOfType(ShtGnuVerneed);
            if (verneed < 0) throw new ElfFormatException(label + ": no .gnu.version_r section (SHT_GNU_verneed); not the libLibTorchSharp.so this build step knows.");
            long strOffset = s.LinkedStringTable(verneed);
            long offset = s.Offset[verneed];
            long end = offset + s.Size[verneed];
            uint count = s.Info[verneed];
            var result = new List<Requirement>();
            for (uint i = 0; i < count; i++)
            {
                Check(image, label, offset, 16, end);
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                ushort auxCount = U16(image, offset + 2);
                string library = CString(image, label, strOffset + U32(image, offset + 4));
                long aux = offset + U32(image, offset + 8);
                for (int j = 0; j < auxCount; j++)
                {
                    Check(image, label, aux, 16, end);
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    result.Add(new Requirement
                    {
                        Library = library,
                        Flags = U16(image, aux + 4),
                        Index = U16(image, aux + 6),
                        Name = CString(image, label, strOffset + U32(image, aux + 8)),
                        FlagsOffset = aux + 4,
                    });
                    uint nextAux = U32(image, aux + 12);
                    if (nextAux == 0 && j + 1 < auxCount) throw new ElfFormatException(label + ": Vernaux chain ends early.");
                    aux += nextAux;
                }
                uint next = U32(image, offset + 12);
                if (next == 0 && i + 1 < count) throw new ElfFormatException(label + ": Verneed chain ends early.");
                offset += next;
            }
            return result;
        }

        /// <summary>Names of the dynamic symbols whose .gnu.version entry is <paramref name="versionIndex"/>.</summary>
        public static List<string> SymbolsBoundTo(byte[] image, string label, ushort versionIndex)
        {
            Sections s = Sections.Read(image, label);
            int versym = s.IndexOfType(ShtGnuVersym);
            int dynsym = s.IndexOfType(ShtDynsym);
            if (versym < 0 || dynsym < 0) throw new ElfFormatException(label + ": no .gnu.version or .dynsym section.");
            long strOffset = s.LinkedStringTable(dynsym);
            long symbols = s.Size[dynsym] / 24; // sizeof(Elf64_Sym)
            if (s.Size[versym] / 2 != symbols) throw new ElfFormatException(label + ": .gnu.version and .dynsym disagree on the symbol count.");
            var names = new List<string>();
            for (long i = 0; i < symbols; i++)
            {
                long v = s.Offset[versym] + 2 * i;
                Check(image, label, v, 2, image.LongLength);
                if ((U16(image, v) & 0x7fff) != versionIndex) continue; // bit 15 = hidden
                long sym = s.Offset[dynsym] + 24 * i;
                Check(image, label, sym, 24, image.LongLength);
                names.Add(CString(image, label, strOffset + U32(image, sym)));
            }
            return names;
        }

        sealed class Sections
        {
            public uint[] Type = new uint[0];
            public long[] Offset = new long[0];
            public long[] Size = new long[0];
            public uint[] Link = new uint[0];
            public uint[] Info = new uint[0];
            string _label = "";

            public static Sections Read(byte[] image, string label)
            {
                if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                    throw new ElfFormatException(label + ": not an ELF file.");
                if (image[4] != 2) throw new ElfFormatException(label + ": not ELF64 (EI_CLASS=" + image[4] + ").");
                if (image[5] != 1) throw new ElfFormatException(label + ": not little-endian (EI_DATA=" + image[5] + ").");
                long shoff = (long)U64(image, 0x28);
                ushort shentsize = U16(image, 0x3A);
                ushort shnum = U16(image, 0x3C);
                if (shoff == 0 || shnum == 0 || shentsize != 64)
                    throw new ElfFormatException(label + ": no usable section header table (e_shoff=" + shoff + ", e_shnum=" + shnum + ", e_shentsize=" + shentsize + ").");
                var s = new Sections { _label = label };
                s.Type = new uint[shnum]; s.Offset = new long[shnum]; s.Size = new long[shnum]; s.Link = new uint[shnum]; s.Info = new uint[shnum];
                for (int i = 0; i < shnum; i++)
                {
                    long h = shoff + 64L * i;
                    Check(image, label, h, 64, image.LongLength);
                    // Elf64_Shdr: name u32, type u32, flags u64, addr u64, offset u64, size u64, link u32, info u32, ...
                    s.Type[i] = U32(image, h + 4);
                    s.Offset[i] = (long)U64(image, h + 24);
                    s.Size[i] = (long)U64(image, h + 32);
                    s.Link[i] = U32(image, h + 40);
                    s.Info[i] = U32(image, h + 44);
                    if (s.Type[i] != 8 /* SHT_NOBITS */) Check(image, label, s.Offset[i], s.Size[i], image.LongLength);
                }
                return s;
            }

            public int IndexOfType(uint type)
            {
                for (int i = 0; i < Type.Length; i++) if (Type[i] == type) return i;
                return -1;
            }

            public long LinkedStringTable(int section)
            {
                uint link = Link[section];
                if (link >= Type.Length || Type[link] != 3 /* SHT_STRTAB */)
                    throw new ElfFormatException(_label + ": section " + section + " links to " + link + ", which is not a string table.");
                return Offset[link];
            }
        }

        static void Check(byte[] image, string label, long offset, long length, long limit)
        {
            if (offset < 0 || length < 0 || offset + length > limit || offset + length > image.LongLength)
                throw new ElfFormatException(label + ": truncated or corrupt ELF (structure at offset " + offset + " runs past its section or the file).");
        }

        static string CString(byte[] image, string label, long offset)
        {
            long end = offset;
            while (end < image.LongLength && image[end] != 0) end++;
            if (end >= image.LongLength) throw new ElfFormatException(label + ": unterminated string at offset " + offset + ".");
            return Encoding.ASCII.GetString(image, (int)offset, (int)(end - offset));
        }

        static ushort U16(byte[] b, long o) { return (ushort)(b[o] | (b[o + 1] << 8)); }
        static uint U32(byte[] b, long o) { return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)); }
        static ulong U64(byte[] b, long o) { return U32(b, o) | ((ulong)U32(b, o + 4) << 32); }
    }

#if !VEIL_ELF_ONLY
    /// <summary>MSBuild face of <see cref="ElfVersionNeeds.Weaken(string,string,ICollection{string})"/>.</summary>
    public sealed class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];
        [Microsoft.Build.Framework.Required] public string VersionName { get; set; } = "";
        /// <summary>Semicolon-separated symbols that may carry the version (they are never looked up at run time).</summary>
        [Microsoft.Build.Framework.Required] public string AllowedSymbols { get; set; } = "";

        public override bool Execute()
        {
            var allowed = new HashSet<string>(AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    WeakenOutcome outcome = ElfVersionNeeds.Weaken(path, VersionName, allowed);
                    Log.LogMessage(outcome == WeakenOutcome.Weakened ? Microsoft.Build.Framework.MessageImportance.Normal : Microsoft.Build.Framework.MessageImportance.Low,
                        "Veil: " + VersionName + " requirement of " + path + ": " + outcome + ".");
                }
                catch (Exception e) when (e is ElfFormatException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogError("Veil: cannot weaken the " + VersionName + " requirement of '" + path + "': " + e.Message +
                        " Without this patch TorchSharp's native library does not load on systems whose libstdc++ predates GCC 13 (e.g. Debian 12)." +
                        " See build/WeakenGlibcxxRequirement.targets.");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
