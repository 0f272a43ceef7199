using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DropMessageMentionRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChatMessageMentions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChatMessageMentions",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RoomId = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatMessageMentions", x => new { x.MessageId, x.UserId });
                    table.ForeignKey(
                        name: "FK_ChatMessageMentions_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChatMessageMentions_ChatMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "ChatMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessageMentions_RoomId_UserId_CreatedAt",
                table: "ChatMessageMentions",
                columns: new[] { "RoomId", "UserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessageMentions_UserId",
                table: "ChatMessageMentions",
                column: "UserId");

            // Rebuilds the rows the older code counted from, out of the messages' own mentions.
            migrationBuilder.Sql(
                """
                INSERT INTO "ChatMessageMentions" ("RoomId", "MessageId", "UserId", "CreatedAt")
                SELECT DISTINCT m."RoomId", m."Id", j.value, m."CreatedAt"
                FROM "ChatMessages" AS m, jsonb_array_elements_text(m."Mentions"::jsonb) AS j(value)
                WHERE m."Mentions" IS NOT NULL AND m."ThreadId" IS NULL AND j.value IS DISTINCT FROM m."UserId"
                  AND EXISTS (SELECT 1 FROM "AspNetUsers" AS u WHERE u."Id" = j.value);
                """);
        }
    }
}
