using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>Output schemas of transforms that add columns: the input's columns (except those replaced), then the added ones.</summary>
internal static class AddedColumns
{
    public static DataViewSchema Schema(DataViewSchema input, params (string Name, DataViewType Type)[] added)
    {
        var builder = new DataViewSchema.Builder();
        var names = added.Select(c => c.Name).ToHashSet();
        foreach (var column in input)
            if (!names.Contains(column.Name)) builder.AddColumn(column.Name, column.Type, column.Annotations);
        foreach (var (name, type) in added) builder.AddColumn(name, type);
        return builder.ToSchema();
    }
}
