import '@testing-library/jest-dom/vitest';
// Unmounts what each test rendered, so no component of one test lives on into the next.
import '@testing-library/svelte/vitest';
