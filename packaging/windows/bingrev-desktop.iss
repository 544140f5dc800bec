; Inno Setup script: a per-machine installer for the PyInstaller folder dist\bingrev-desktop.
; Built by .github/workflows/release.yml (iscc packaging\windows\bingrev-desktop.iss).
#define AppVersion "0.1.0"
[Setup]
AppId={{6C7A3F0E-2B7B-4D0C-9C2F-6E1B7B1A0B1E}
AppName=Bing Reverse Image Search
AppVersion={#AppVersion}
AppPublisher=bingrev-desktop developers
DefaultDirName={autopf}\bingrev-desktop
DefaultGroupName=Bing Reverse Image Search
OutputDir=..\..\dist
OutputBaseFilename=bingrev-desktop-{#AppVersion}-setup
SetupIconFile=bingrev-desktop.ico
Compression=lzma2
SolidCompression=yes
ChangesAssociations=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\bingrev-desktop\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Bing Reverse Image Search"; Filename: "{app}\bingrev-desktop.exe"
Name: "{autodesktop}\Bing Reverse Image Search"; Filename: "{app}\bingrev-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "A shortcut on the desktop"; Flags: unchecked

[Registry]
; Double-clicking a .bingrev case file opens it in the app.
Root: HKA; Subkey: "Software\Classes\.bingrev"; ValueType: string; ValueData: "bingrev.case"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\bingrev.case"; ValueType: string; ValueData: "Reverse image search case"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\bingrev.case\DefaultIcon"; ValueType: string; ValueData: "{app}\bingrev-desktop.exe,0"
Root: HKA; Subkey: "Software\Classes\bingrev.case\shell\open\command"; ValueType: string; ValueData: """{app}\bingrev-desktop.exe"" ""%1"""
