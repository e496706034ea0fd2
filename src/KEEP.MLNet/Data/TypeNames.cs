namespace KEEP.MLNet.Data;

/// <summary>CLR types in messages as a C# user writes them (<c>ReadOnlyMemory&lt;char&gt;</c>, <c>VBuffer&lt;float&gt;</c>), not as reflection names them (<c>ReadOnlyMemory`1</c>).</summary>
internal static class TypeNames
{
    /// <summary>The C# spelling of <paramref name="type"/>: keywords for the built-in types, type arguments in angle brackets.</summary>
    public static string Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.IsArray) return Of(type.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(type) is { } inner) return Of(inner) + "?";
        if (!type.IsEnum && Keyword(type) is { } keyword) return keyword;
        if (!type.IsGenericType) return type.Name;
        string name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }

    private static string? Keyword(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Boolean => "bool",
        TypeCode.Char => "char",
        TypeCode.SByte => "sbyte",
        TypeCode.Byte => "byte",
        TypeCode.Int16 => "short",
        TypeCode.UInt16 => "ushort",
        TypeCode.Int32 => "int",
        TypeCode.UInt32 => "uint",
        TypeCode.Int64 => "long",
        TypeCode.UInt64 => "ulong",
        TypeCode.Single => "float",
        TypeCode.Double => "double",
        TypeCode.Decimal => "decimal",
        TypeCode.String => "string",
        _ => type == typeof(object) ? "object" : null,
    };
}
