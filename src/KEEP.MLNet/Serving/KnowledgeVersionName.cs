namespace KEEP.MLNet.Serving;

/// <summary>Version names are used in folder names and Redis keys: letters, digits, '.', '_' and '-'.</summary>
internal static class KnowledgeVersionName
{
    public static void Validate(string version)
    {
        if (string.IsNullOrEmpty(version) || version.Length > 100 || !version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ArgumentException($"Knowledge version '{version}' must be 1–100 letters, digits, '.', '_' or '-' (e.g. 2025-01-01).", nameof(version));
    }
}
