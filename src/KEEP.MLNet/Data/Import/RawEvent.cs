using System.Runtime.InteropServices;

namespace KEEP.MLNet.Data.Import;

/// <summary>What kind of log line a <see cref="RawEvent"/> came from.</summary>
internal enum RawEventKind : byte
{
    /// <summary>A page view / click of an item.</summary>
    View,
    /// <summary>An add-to-cart.</summary>
    Cart,
    /// <summary>A purchase.</summary>
    Buy,
    /// <summary>A favourite (kept only for counting).</summary>
    Favourite,
    /// <summary>A shown ad with its click label (display-ads impressions).</summary>
    AdImpression,
}

/// <summary>One log line reduced to fixed-size fields, so that it spills to disk and sorts cheaply.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct RawEvent
{
    public int User;
    public long Time;
    public long Sequence;
    public int Item;
    public int Shop;
    public int Category;
    public RawEventKind Kind;
    public bool Clicked;

    public static int Compare(RawEvent a, RawEvent b)
    {
        int c = a.User.CompareTo(b.User);
        if (c != 0) return c;
        c = a.Time.CompareTo(b.Time);
        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    }
}
