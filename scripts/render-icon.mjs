// Renders resources/icons/icon.svg to the 512×512 icon.png electron-builder needs, with the system
// Chromium (no ImageMagick here). Run by hand after changing the SVG: node scripts/render-icon.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('resources/icons/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
  await page.setContent(`<body style="margin:0;background:transparent">${svg}</body>`);
  writeFileSync('resources/icons/icon.png', await page.locator('svg').screenshot({ omitBackground: true }));
} finally {
  await browser.close();
}
