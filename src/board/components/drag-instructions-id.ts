// The id of dnd-kit's hidden "how to drag" text (DndContext's `id` becomes it), so that cards
// not wired to dnd-kit yet point at the same description as the ones that are.
export const dragInstructionsId = 'board-drag-instructions';
