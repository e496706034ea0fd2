namespace KEEP.MLNet.Tests.Cli;

/// <summary>Checks a report chart by decoding the PNG: the promised size and real content.</summary>
internal static class Charts
{
    public static void AssertRendered(string chart)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(chart);
        Assert.IsNotNull(bitmap, $"{chart} is not a PNG");
        Assert.AreEqual(800, bitmap.Width, chart);
        Assert.AreEqual(450, bitmap.Height, chart);
        int inked = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var pixel = bitmap.GetPixel(x, y);
                if (pixel.Red < 200 || pixel.Green < 200 || pixel.Blue < 200) inked++;
            }
        Assert.IsGreaterThan(bitmap.Width * bitmap.Height / 4 / 50, inked, $"{chart} has more than 2% non-blank pixels");
    }
}
