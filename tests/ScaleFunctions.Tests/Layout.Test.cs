using System.Reflection;
using System.Reflection.Emit;
using ScaleFunctions.Configuration;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests;

/// <summary>
/// The domain's namespaces depend on each other in one direction only (README, "Layout"), read from the compiled code:
/// every type a type's signatures and method bodies (IL) use. The composition root (<c>ScaleFunctions</c>, the DI
/// registrations) may use every namespace and is left out.
/// </summary>
public sealed class LayoutTest
{
    private const string Root = "ScaleFunctions";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void No_namespace_of_the_domain_depends_on_one_that_depends_on_it()
    {
        var graph = Dependencies(typeof(ManagedClusterOptions).Assembly, Root + ".");

        var cycles = Cycles(graph);

        Assert.True(cycles.Count == 0, "Namespace cycles:\n" + string.Join("\n", cycles.Select(c => string.Join(" ↔ ", c))));
        Assert.Contains("ScaleFunctions.Configuration", graph["ScaleFunctions.Execution"]);
    }

    [Fact]
    public void Each_folder_depends_only_on_those_above_it_in_the_readme()
    {
        var steps = ReadmeSteps();
        var graph = Dependencies(typeof(ManagedClusterOptions).Assembly, Root + ".");

        var upward = graph
            .SelectMany(g => g.Value.Select(to => (From: g.Key, To: to)))
            .Where(edge => Step(steps, edge.To) > Step(steps, edge.From))
            .Select(edge => $"{edge.From} -> {edge.To}")
            .ToList();

        Assert.True(upward.Count == 0, "Depends on a folder listed below it in README's layout table:\n" + string.Join("\n", upward));
        Assert.All(graph.Keys, ns => Assert.True(Step(steps, ns) >= 0, $"{ns} is in no folder of README's layout table"));
    }

    [Fact]
    public void A_cycle_through_method_bodies_only_is_found()
    {
        var graph = Dependencies(typeof(LayoutSample.A.Caller).Assembly, typeof(LayoutSample.A.Caller).Namespace![..^1]);

        Assert.Equal([["ScaleFunctions.Tests.LayoutSample.A", "ScaleFunctions.Tests.LayoutSample.B"]], Cycles(graph));
    }

    /// <summary>The folders of README's table "One alert's way through src/ScaleFunctions", top to bottom, as namespaces.</summary>
    private static List<string> ReadmeSteps()
    {
        var lines = File.ReadAllLines(ReferenceFiles.InRepository("README.md"));
        return lines
            .SkipWhile(line => !line.StartsWith("One alert's way through", StringComparison.Ordinal))
            .SkipWhile(line => !line.StartsWith("| folder |", StringComparison.Ordinal))
            .Skip(2)
            .TakeWhile(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => Root + "." + line.Split('`')[1].Replace('/', '.'))
            .ToList();
    }

    /// <summary>The row of the longest folder that holds the namespace (a sub-namespace shares its folder's row).</summary>
    private static int Step(List<string> steps, string ns) =>
        steps.Select((step, row) => (step, row))
            .Where(s => ns == s.step || ns.StartsWith(s.step + ".", StringComparison.Ordinal))
            .OrderByDescending(s => s.step.Length)
            .Select(s => s.row)
            .DefaultIfEmpty(-1)
            .First();

    private static Dictionary<string, HashSet<string>> Dependencies(Assembly assembly, string prefix)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from is null || !from.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var uses = graph.TryGetValue(from, out var known) ? known : graph[from] = [];
            foreach (var used in UsedTypes(type).SelectMany(Flatten))
            {
                if (NamespaceOf(used) is { } to && to != from && to.StartsWith(prefix, StringComparison.Ordinal) && used.Assembly == assembly)
                {
                    uses.Add(to);
                }
            }
        }

        return graph;
    }

    private static string? NamespaceOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace;
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            return Flatten(type.GetElementType()!);
        }

        return type.IsGenericType ? [type.GetGenericTypeDefinition(), .. type.GetGenericArguments().SelectMany(Flatten)] : [type];
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var used in type.GetInterfaces())
        {
            yield return used;
        }

        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in BodyTypes(method))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types, fields and methods a method body refers to, from its IL.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } generic ? generic.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                var member = Resolve(method.Module, BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                switch (member)
                {
                    case Type used:
                        yield return used;
                        break;
                    case FieldInfo field:
                        yield return field.DeclaringType!;
                        yield return field.FieldType;
                        break;
                    case MethodBase called:
                        yield return called.DeclaringType!;
                        foreach (var argument in called.IsGenericMethod ? called.GetGenericArguments() : [])
                        {
                            yield return argument;
                        }

                        break;
                }
            }

            at += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null; // a member of another module (the framework) that cannot be resolved here: not ours
        }
    }

    /// <summary>Every set of namespaces that reach each other (strongly connected, more than one), each sorted.</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var reach = graph.Keys.ToDictionary(n => n, n => Reachable(graph, n), StringComparer.Ordinal);
        return graph.Keys
            .Select(n => graph.Keys.Where(m => m == n || (reach[n].Contains(m) && reach[m].Contains(n))).Order(StringComparer.Ordinal).ToList())
            .Where(c => c.Count > 1)
            .DistinctBy(c => string.Join(",", c))
            .ToList();
    }

    private static HashSet<string> Reachable(Dictionary<string, HashSet<string>> graph, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>([start]);
        while (next.TryPop(out var at))
        {
            foreach (var to in graph.GetValueOrDefault(at) ?? [])
            {
                if (seen.Add(to))
                {
                    next.Push(to);
                }
            }
        }

        return seen;
    }
}
