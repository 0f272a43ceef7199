using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EraseUsers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The model's foreign keys to the user became Restrict, but SQLite changes a foreign key only
            // by rebuilding its table with foreign keys off, which cannot run inside the migration's
            // transaction (and, with them on, dropping the old table would cascade into its children).
            // SQLite databases keep the delete rules they were created with: erase a user before
            // deleting it (README, "Erasing a user"), and nothing is left for a cascade to delete.
            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_UserId",
                table: "ChatMessages");

            migrationBuilder.DropIndex(
                name: "IX_ChatMedia_UploadedBy",
                table: "ChatMedia");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_UserId_Id",
                table: "ChatMessages",
                columns: new[] { "UserId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMedia_UploadedBy_Id",
                table: "ChatMedia",
                columns: new[] { "UploadedBy", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_UserId_Id",
                table: "ChatMessages");

            migrationBuilder.DropIndex(
                name: "IX_ChatMedia_UploadedBy_Id",
                table: "ChatMedia");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_UserId",
                table: "ChatMessages",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMedia_UploadedBy",
                table: "ChatMedia",
                column: "UploadedBy");
        }
    }
}
