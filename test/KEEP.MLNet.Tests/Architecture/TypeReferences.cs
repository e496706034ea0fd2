using System.Reflection;
using System.Reflection.Emit;

namespace KEEP.MLNet.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which others, read from the compiled code itself: base types,
/// interfaces, field, property and method signatures, and every type, method and field token in method
/// bodies (IL), so a use hidden in a fully qualified name or a lambda counts too.
/// </summary>
internal static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Edges (from namespace → to namespace) between namespaces under <paramref name="root"/>, each with one example of the use.</summary>
    public static Dictionary<(string From, string To), string> NamespaceEdges(Assembly assembly, string root)
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in assembly.GetTypes())
        {
            string? from = Folder(type, root);
            if (from == null) continue;
            void Use(Type? used, string where)
            {
                if (used == null) return;
                if (used.IsArray || used.IsByRef || used.IsPointer) { Use(used.GetElementType(), where); return; }
                if (used.IsGenericType && !used.IsGenericTypeDefinition) foreach (var argument in used.GetGenericArguments()) Use(argument, where);
                if (used.IsGenericParameter) return;
                string? to = Folder(used, root);
                if (to != null && to != from) edges.TryAdd((from, to), $"{type.FullName} → {used.FullName} ({where})");
            }
            Use(type.BaseType, "base type");
            foreach (var i in type.GetInterfaces()) Use(i, "interface");
            foreach (var field in type.GetFields(Everything)) Use(field.FieldType, $"field {field.Name}");
            foreach (var property in type.GetProperties(Everything)) Use(property.PropertyType, $"property {property.Name}");
            foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                if (method is MethodInfo info) Use(info.ReturnType, $"{method.Name} return");
                foreach (var parameter in method.GetParameters()) Use(parameter.ParameterType, $"{method.Name} parameter");
                foreach (var used in BodyReferences(method)) Use(used, $"{method.Name} body");
            }
        }
        return edges;
    }

    /// <summary>The namespace of a type (a nested type counts as its outermost type), under the root; null outside it or for compiler-generated roots.</summary>
    private static string? Folder(Type type, string root)
    {
        while (type.DeclaringType != null) type = type.DeclaringType;
        string? ns = type.Namespace;
        if (ns == null || !(ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal))) return null;
        return ns == root ? "(root)" : ns[(root.Length + 1)..];
    }

    /// <summary>Every method of <paramref name="assembly"/> with each method or constructor its body calls (IL call, callvirt, newobj, ldftn).</summary>
    public static IEnumerable<(MethodBase Caller, MethodBase Called)> Calls(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
            foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
                foreach (var member in BodyMembers(method))
                    if (member is MethodBase called) yield return (method, called);
    }

    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        foreach (var member in BodyMembers(method))
        {
            var used = member as Type ?? member.DeclaringType;
            if (used != null) yield return used;
        }
    }

    private static IEnumerable<MemberInfo> BodyMembers(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception) { yield break; }
        if (il == null) yield break;
        var module = method.Module;
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method is MethodInfo { IsGenericMethod: true } m ? m.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            var code = OpCodesByValue[value];
            at += code.Size;
            int operand = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, at);
                MemberInfo? used = null;
                try { used = module.ResolveMember(token, typeArguments, methodArguments); }
                catch (ArgumentException) { }
                if (used != null) yield return used;
            }
            at += operand;
        }
    }
}
