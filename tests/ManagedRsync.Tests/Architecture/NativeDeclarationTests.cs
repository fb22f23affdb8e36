using Mono.Cecil;

namespace ManagedRsync.Tests.Architecture;

/// <summary>
/// Native calls are declared in one place, the library's Platform layer (ManagedRsync.Platform.Interop): the CLI
/// declares none, and no other folder of the library does.
/// </summary>
public class NativeDeclarationTests
{
    [Fact]
    public void The_cli_declares_no_native_calls()
    {
        Assert.Empty(NativeDeclarations(typeof(ManagedRsync.Cli.Program).Assembly.Location));
    }

    [Fact]
    public void The_library_declares_native_calls_only_in_Platform()
    {
        var declared = NativeDeclarations(typeof(RsyncException).Assembly.Location);
        // The check sees a declaration when there is one (openat is the destination's first call).
        Assert.Contains(declared, d => d.EndsWith(" -> openat", StringComparison.Ordinal));
        Assert.All(declared, d => Assert.StartsWith("ManagedRsync.Platform.Interop", d, StringComparison.Ordinal));
    }

    /// <summary>
    /// Every P/Invoke of the assembly as "Type::Method -> entry point": a [DllImport] is a method with pinvokeimpl; a
    /// [LibraryImport] compiles to a partial method whose generated body calls such a local function.
    /// </summary>
    private static List<string> NativeDeclarations(string assemblyPath)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var found = new List<string>();
        foreach (TypeDefinition type in assembly.MainModule.GetTypes())
        {
            foreach (MethodDefinition method in type.Methods)
            {
                if (method.IsPInvokeImpl)
                    found.Add($"{type.FullName}::{method.Name} -> {method.PInvokeInfo?.EntryPoint}");
                else if (method.CustomAttributes.Any(a => a.AttributeType.Name is "LibraryImportAttribute" or "DllImportAttribute"))
                    found.Add($"{type.FullName}::{method.Name} -> (attribute)");
            }
        }
        return found;
    }
}
