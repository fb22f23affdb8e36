using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ManagedRsync.Tests.Architecture;

/// <summary>
/// Which namespace of an assembly uses which, read from its IL: signatures (base types, interfaces, fields, properties,
/// parameters, return types, attributes, generic constraints) and method bodies (locals, catch types and the operand
/// of every instruction: the types, methods and fields it names). A lambda, iterator or async method is compiled into a
/// nested type, so it counts for the namespace of the type that declares it.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), string> _edges = [];

    private NamespaceGraph(string rootNamespace) => RootNamespace = rootNamespace;

    public string RootNamespace { get; }

    /// <summary>Every edge, with one use that makes it ("Type.Member uses Target") to name in a failure.</summary>
    public IReadOnlyDictionary<(string From, string To), string> Edges => _edges;

    public static NamespaceGraph Load(string assemblyPath, string rootNamespace)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var graph = new NamespaceGraph(rootNamespace);
        foreach (TypeDefinition type in assembly.MainModule.Types)
            graph.AddType(type, assembly.MainModule);
        return graph;
    }

    /// <summary>The namespaces that declare types (the graph's nodes).</summary>
    public IEnumerable<string> Namespaces => _edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal);

    /// <summary>The graph as lines "From -> To   (example)", for a failure message or a look.</summary>
    public string Describe() => string.Join('\n', _edges.OrderBy(e => e.Key.From, StringComparer.Ordinal)
        .ThenBy(e => e.Key.To, StringComparer.Ordinal).Select(e => $"{e.Key.From} -> {e.Key.To}   ({e.Value})"));

    private void AddType(TypeDefinition type, ModuleDefinition module)
    {
        string from = NamespaceOf(type);
        if (!IsOurs(from))
            return;
        var user = new Use(this, from, module, type.FullName);
        user.Type(type.BaseType);
        foreach (var i in type.Interfaces)
            user.Type(i.InterfaceType);
        user.Attributes(type);
        foreach (var g in type.GenericParameters)
            user.Constraints(g);
        foreach (FieldDefinition field in type.Fields)
        {
            user.At($"{type.FullName}.{field.Name}").Type(field.FieldType);
            user.Attributes(field);
        }
        foreach (PropertyDefinition property in type.Properties)
            user.At($"{type.FullName}.{property.Name}").Type(property.PropertyType);
        foreach (EventDefinition e in type.Events)
            user.At($"{type.FullName}.{e.Name}").Type(e.EventType);
        foreach (MethodDefinition method in type.Methods)
            AddMethod(user.At($"{type.FullName}.{method.Name}"), method);
        foreach (TypeDefinition nested in type.NestedTypes)
            AddType(nested, module);
    }

    private static void AddMethod(Use user, MethodDefinition method)
    {
        user.Type(method.ReturnType);
        user.Attributes(method);
        foreach (var p in method.Parameters)
            user.Type(p.ParameterType);
        foreach (var g in method.GenericParameters)
            user.Constraints(g);
        if (!method.HasBody)
            return;
        foreach (VariableDefinition v in method.Body.Variables)
            user.Type(v.VariableType);
        foreach (ExceptionHandler h in method.Body.ExceptionHandlers)
            user.Type(h.CatchType);
        foreach (Instruction instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference t:
                    user.Type(t);
                    break;
                case MethodReference m:
                    user.Method(m);
                    break;
                case FieldReference f:
                    user.Type(f.DeclaringType);
                    user.Type(f.FieldType);
                    break;
            }
        }
    }

    private bool IsOurs(string ns) => ns == RootNamespace || ns.StartsWith(RootNamespace + ".", StringComparison.Ordinal);

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is { } outer)
            type = outer;
        return type.Namespace;
    }

    /// <summary>Records what one member uses.</summary>
    private readonly struct Use(NamespaceGraph graph, string from, ModuleDefinition module, string where)
    {
        public Use At(string member) => new(graph, from, module, member);

        public void Type(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType g:
                    Type(g.ElementType);
                    foreach (var a in g.GenericArguments)
                        Type(a);
                    return;
                case TypeSpecification s: // arrays, pointers, by-refs, modifiers
                    Type(s.ElementType);
                    return;
            }
            // A type of this module is ours; one with our namespace in another assembly (none today) is not a layer here.
            if (type.Scope != module && type.Scope is not ModuleDefinition)
                return;
            string to = NamespaceOf(type);
            if (to != from && graph.IsOurs(to))
                graph._edges.TryAdd((from, to), $"{where} uses {type.FullName}");
        }

        public void Method(MethodReference method)
        {
            Type(method.DeclaringType);
            Type(method.ReturnType);
            foreach (var p in method.Parameters)
                Type(p.ParameterType);
            if (method is GenericInstanceMethod g)
            {
                foreach (var a in g.GenericArguments)
                    Type(a);
            }
        }

        public void Constraints(GenericParameter g)
        {
            foreach (var c in g.Constraints)
                Type(c.ConstraintType);
        }

        public void Attributes(ICustomAttributeProvider provider)
        {
            foreach (CustomAttribute a in provider.CustomAttributes)
                Type(a.AttributeType);
        }
    }
}
