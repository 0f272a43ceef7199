namespace DfChat.Tests.Http.Infrastructure;

/// <summary>Small files with real signatures, their bytes numbered so that a range can be checked.</summary>
public static class HttpFiles
{
    public static byte[] Png(int size = 256) => WithHeader(size, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]);

    public static byte[] Jpeg(int size = 256) => WithHeader(size, [0xFF, 0xD8, 0xFF, 0xE0]);

    public static byte[] Pdf(int size = 256) => WithHeader(size, "%PDF-1.7\n"u8.ToArray());

    public static byte[] Svg() => "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray();

    public static byte[] Text(int size = 256) => WithHeader(size, "plain text "u8.ToArray());

    private static byte[] WithHeader(int size, byte[] header)
    {
        var bytes = new byte[Math.Max(size, header.Length)];
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)(i * 7);
        header.CopyTo(bytes, 0);
        return bytes;
    }
}
