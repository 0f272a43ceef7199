namespace DfChat.Tests.Infrastructure;

/// <summary>Small files with real signatures.</summary>
public static class TestFiles
{
    public static byte[] Png(int size = 64)
    {
        var bytes = new byte[Math.Max(size, 16)];
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52];
        signature.CopyTo(bytes, 0);
        return bytes;
    }

    public static byte[] Jpeg(int size = 64)
    {
        var bytes = new byte[Math.Max(size, 16)];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        return bytes;
    }

    public static byte[] Pdf(int size = 64)
    {
        var bytes = new byte[Math.Max(size, 8)];
        "%PDF-1.7"u8.CopyTo(bytes);
        return bytes;
    }
}
